import type { AttachCallbacks, AttachedProcess, DynoExit, DynoHandle, DynoOutput, DynoSpec, RuntimeDriver } from './driver.js';

/**
 * The Docker runtime is a later step. The plan (see /work/shared/ARCHITECTURE.md): dockerode
 * against the local engine; the stack image (Debian with python3 + node); the slug copied in
 * with putArchive; a non-root user, memory limit by dyno size, cap-drop; HostConfig.Init so
 * SIGTERM reaches the app; host networking with the allocated $PORT; labels paas.app,
 * paas.release, paas.type, paas.dyno so list() adopts containers after a manager restart;
 * stop = container.stop({ t: grace }); output from container.logs({ follow: true }).
 *
 * Until then every method refuses, so PAAS_RUNTIME=docker fails loudly instead of pretending.
 */
export class DockerDriver implements RuntimeDriver {
  private fail(): never {
    throw new Error('the docker runtime is not implemented yet: set PAAS_RUNTIME=process');
  }

  start(_spec: DynoSpec): Promise<DynoHandle> { this.fail(); }
  startAttached(_spec: DynoSpec, _callbacks: AttachCallbacks): Promise<AttachedProcess> { this.fail(); }
  stop(_id: string, _graceMs: number): Promise<DynoExit> { this.fail(); }
  list(): Promise<DynoHandle[]> { this.fail(); }
  onExit(_listener: (id: string, exit: DynoExit) => void): void { this.fail(); }
  onOutput(_listener: (out: DynoOutput) => void): void { this.fail(); }
  close(): Promise<void> { return Promise.resolve(); }
}
