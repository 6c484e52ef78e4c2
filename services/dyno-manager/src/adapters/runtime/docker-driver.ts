import { createReadStream } from 'node:fs';
import type { Duplex } from 'node:stream';
import type Docker from 'dockerode';
import type { FileBlobStore } from '@paas/storage';
import type { BlobRef } from '@paas/contracts';
import { limitsOf, R15_FACTOR } from '../../domain/dyno-size.js';
import type { AttachCallbacks, AttachedProcess, DynoExit, DynoHandle, DynoMemory, DynoOutput, DynoSpec, RuntimeDriver } from './driver.js';
import { chunkWriter, followLogs, lineWriter } from './docker-streams.js';
import { PortAllocator } from './port-allocator.js';
import * as tar from 'tar';

export interface DockerDriverOptions {
  readonly docker: Docker;
  /** The stack image dynos run in (PAAS_STACK_IMAGE). */
  readonly image: string;
  /** Containers carry this in the `paas.scope` label: a manager adopts and cleans up only its own. */
  readonly scope: string;
  readonly portMin: number;
  readonly portMax: number;
  /** `host`: the dyno listens on the host's loopback at its $PORT; `bridge`: $PORT 5000 published on 127.0.0.1. */
  readonly network: 'host' | 'bridge';
  /** Replaces every size's memory quota (PAAS_DYNO_MEMORY_MB). */
  readonly memoryMb?: number;
  /** How often memory use is sampled for R14; 0 turns it off. */
  readonly memoryCheckMs: number;
  /** Makes sure the image exists (builds the stack image when missing); called before the first dyno starts. */
  readonly ensureImage: () => Promise<void>;
}

/** $0 is the dyno name, $1 the command: sources the buildpacks' .profile.d scripts, then becomes the command. */
const launch = (shell: string) => `for f in "$HOME"/.profile.d/*.sh; do [ -f "$f" ] && . "$f"; done; exec ${shell} -c "$1"`;
const HOST = '127.0.0.1';
/** The stack image's dyno user. */
const DYNO_UID = 1000;
const BRIDGE_PORT = 5000;
const MB = 1024 * 1024;
const L = {
  scope: 'paas.scope', appId: 'paas.app-id', app: 'paas.app', release: 'paas.release', type: 'paas.type', dyno: 'paas.dyno',
  id: 'paas.dyno-id', command: 'paas.command', port: 'paas.port', startedAt: 'paas.started-at', quota: 'paas.memory-quota-mb', attached: 'paas.attached',
} as const;

interface Running {
  readonly handle: DynoHandle;
  readonly container: Docker.Container;
  readonly quotaMb: number;
  readonly abort: AbortController;
  /** Resolves with the exit once the container stopped and its output was passed on. */
  exited?: Promise<DynoExit>;
  stopping: boolean;
  attached?: { stream: Duplex };
}

/**
 * The Docker runtime: one container per dyno from the stack image, the slug copied into /app
 * (putArchive, no bind mounts), a non-root user, memory and pids limits by dyno size, all
 * capabilities dropped, no-new-privileges, a read-only root filesystem with /app and /tmp
 * writable. Labels name the dyno, so a new manager adopts the containers it finds.
 */
export class DockerDriver implements RuntimeDriver {
  private readonly running = new Map<string, Running>();
  private readonly exitListeners: ((id: string, exit: DynoExit) => void)[] = [];
  private readonly outputListeners: ((out: DynoOutput) => void)[] = [];
  private readonly memoryListeners: ((m: DynoMemory) => void)[] = [];
  private readonly ports: PortAllocator;
  private readonly verified = new Set<string>();
  private readonly memoryTimer: NodeJS.Timeout | undefined;
  private image: Promise<void> | undefined;
  private closed = false;

  constructor(private readonly o: DockerDriverOptions, private readonly blobs: FileBlobStore) {
    this.ports = new PortAllocator(o.portMin, o.portMax);
    if (o.memoryCheckMs > 0) {
      this.memoryTimer = setInterval(() => void this.checkMemory(), o.memoryCheckMs);
      this.memoryTimer.unref();
    }
  }

  async start(spec: DynoSpec): Promise<DynoHandle> {
    const r = await this.create(spec, false);
    try {
      await r.container.start();
      const out = lineWriter((line) => this.output(r, line));
      const logs = followLogs(this.o.docker, r.container, out, false, r.abort.signal).catch(() => undefined);
      r.exited = this.watch(r, logs);
      return r.handle;
    } catch (err) {
      await this.discard(r);
      throw new Error(`starting ${spec.name} of ${spec.appName}: ${(err as Error).message}`);
    }
  }

  async startAttached(spec: DynoSpec, callbacks: AttachCallbacks): Promise<AttachedProcess> {
    const r = await this.create(spec, true);
    try {
      const stream = await r.container.attach({ stream: true, stdin: true, stdout: true, stderr: true, hijack: true }) as unknown as Duplex;
      r.attached = { stream };
      stream.on('error', () => undefined);
      const out = chunkWriter((chunk) => callbacks.onOutput(chunk));
      const drained = new Promise<void>((resolve) => {
        this.o.docker.modem.demuxStream(stream, out, out);
        stream.once('end', () => resolve());
        stream.once('close', () => resolve());
      });
      await r.container.start();
      r.exited = this.watch(r, drained);
      void r.exited.then((exit) => callbacks.onExit(exit));
      return {
        handle: r.handle,
        write: (data) => { if (!stream.writableEnded) stream.write(data); },
        end: () => { if (!stream.writableEnded) stream.end(); },
      };
    } catch (err) {
      await this.discard(r);
      throw new Error(`starting ${spec.name} of ${spec.appName}: ${(err as Error).message}`);
    }
  }

  async stop(id: string, graceMs: number): Promise<DynoExit> {
    const r = this.running.get(id);
    if (!r) return { code: null, signal: null };
    r.stopping = true;
    let forced = false;
    let exit: DynoExit = { code: null, signal: null };
    if (r.exited) {
      await r.container.kill({ signal: 'SIGTERM' }).catch(() => undefined);
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<'timeout'>((resolve) => { timer = setTimeout(() => resolve('timeout'), graceMs); });
      const first = await Promise.race([r.exited, timedOut]);
      clearTimeout(timer);
      if (first === 'timeout') {
        forced = true;
        await r.container.kill({ signal: 'SIGKILL' }).catch(() => undefined);
        exit = await r.exited;
      } else exit = first;
    }
    await this.discard(r);
    return forced ? { ...exit, forced } : exit;
  }

  async list(): Promise<DynoHandle[]> {
    await this.ready();
    const found = await this.o.docker.listContainers({ all: true, filters: { label: [`${L.scope}=${this.o.scope}`] } });
    const out: DynoHandle[] = [];
    for (const c of found) {
      const labels = c.Labels;
      const id = labels[L.id];
      const known = this.running.get(id);
      if (known) {
        if (!known.stopping && !known.attached) out.push(known.handle);
        continue;
      }
      const container = this.o.docker.getContainer(c.Id);
      // Attached dynos end with the manager that relayed them; stopped ones left nothing worth keeping.
      if (c.State !== 'running' || labels[L.attached] === '1' || !id) {
        await container.remove({ force: true, v: true }).catch(() => undefined);
        continue;
      }
      const handle: DynoHandle = {
        id, appId: labels[L.appId], appName: labels[L.app], name: labels[L.dyno], type: labels[L.type],
        releaseVersion: Number(labels[L.release]), command: labels[L.command], host: HOST, port: Number(labels[L.port]),
        pid: 0, startedAt: Number(labels[L.startedAt]) || c.Created * 1000,
      };
      const r: Running = { handle, container, quotaMb: Number(labels[L.quota]) || 512, abort: new AbortController(), stopping: false };
      this.running.set(id, r);
      this.ports.reserve(handle.port);
      const logs = followLogs(this.o.docker, container, lineWriter((line) => this.output(r, line)), true, r.abort.signal).catch(() => undefined);
      r.exited = this.watch(r, logs);
      out.push(handle);
    }
    return out;
  }

  onExit(listener: (id: string, exit: DynoExit) => void): void {
    this.exitListeners.push(listener);
  }

  onOutput(listener: (out: DynoOutput) => void): void {
    this.outputListeners.push(listener);
  }

  onMemory(listener: (m: DynoMemory) => void): void {
    this.memoryListeners.push(listener);
  }

  /** Stops watching: dynos keep running for the next manager, attached ones end (nobody could attach again). */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.memoryTimer);
    const attached = [...this.running.values()].filter((r) => r.attached);
    for (const r of this.running.values()) if (!r.attached) r.abort.abort();
    await Promise.all(attached.map((r) => this.stop(r.handle.id, 0)));
    this.running.clear();
  }

  /** Builds (once) what the dyno needs: the image, a fresh container with the slug in /app, a port. */
  private async create(spec: DynoSpec, attached: boolean): Promise<Running> {
    await this.ready();
    const previous = this.running.get(spec.id);
    if (previous) await this.discard(previous); // a crashed instance being restarted
    const name = containerName(this.o.scope, spec);
    await this.o.docker.getContainer(name).remove({ force: true, v: true }).catch(() => undefined);
    const port = await this.ports.allocate();
    const quotaMb = limitsOf(spec.size ?? 'standard-1x', this.o.memoryMb).memoryMb;
    const startedAt = Date.now();
    let container: Docker.Container | undefined;
    try {
      container = await this.o.docker.createContainer(this.options(spec, name, port, startedAt, attached));
      if (!spec.image) await this.copySlug(container, spec.slug);
    } catch (err) {
      this.ports.release(port);
      await container?.remove({ force: true, v: true }).catch(() => undefined);
      throw new Error(`creating the container of ${spec.name} of ${spec.appName}: ${(err as Error).message}`);
    }
    const handle: DynoHandle = {
      id: spec.id, appId: spec.appId, appName: spec.appName, name: spec.name, type: spec.type, releaseVersion: spec.releaseVersion,
      command: spec.command, host: HOST, port, pid: 0, startedAt,
    };
    const r: Running = { handle, container, quotaMb, abort: new AbortController(), stopping: false };
    this.running.set(spec.id, r);
    return r;
  }

  private options(spec: DynoSpec, name: string, port: number, startedAt: number, attached: boolean): Docker.ContainerCreateOptions {
    const limits = limitsOf(spec.size ?? 'standard-1x', this.o.memoryMb);
    const bridge = this.o.network === 'bridge';
    const innerPort = bridge ? BRIDGE_PORT : port;
    // A Docker build's image keeps its own WORKDIR and HOME, and may have no bash.
    const stack = !spec.image;
    const shell = stack ? 'bash' : '/bin/sh';
    const env = { ...spec.env, PORT: String(innerPort), DYNO: spec.name, PS: spec.name, ...(stack ? { HOME: '/app' } : {}), TINI_KILL_PROCESS_GROUP: '1' };
    const labels: Record<string, string> = {
      [L.scope]: this.o.scope, [L.appId]: spec.appId, [L.app]: spec.appName, [L.release]: String(spec.releaseVersion),
      [L.type]: spec.type, [L.dyno]: spec.name, [L.id]: spec.id, [L.command]: spec.command, [L.port]: String(port),
      [L.startedAt]: String(startedAt), [L.quota]: String(limits.memoryMb), ...(attached ? { [L.attached]: '1' } : {}),
    };
    return {
      name,
      Image: spec.image ?? this.o.image,
      Cmd: [shell, '-c', launch(shell), spec.name, spec.command],
      ...(stack ? { WorkingDir: '/app' } : {}),
      User: `${DYNO_UID}:${DYNO_UID}`,
      Env: Object.entries(env).map(([k, v]) => `${k}=${v}`),
      Labels: labels,
      Tty: false,
      OpenStdin: attached,
      StdinOnce: attached,
      AttachStdin: attached,
      AttachStdout: attached,
      AttachStderr: attached,
      Volumes: { '/app': {} },
      ...(bridge ? { ExposedPorts: { [`${BRIDGE_PORT}/tcp`]: {} } } : {}),
      HostConfig: {
        // docker-init forwards signals to the command's process group (TINI_KILL_PROCESS_GROUP).
        Init: true,
        NetworkMode: bridge ? 'bridge' : 'host',
        ...(bridge ? { PortBindings: { [`${BRIDGE_PORT}/tcp`]: [{ HostIp: HOST, HostPort: String(port) }] } } : {}),
        // The hard limit is where Heroku kills (R15); between the quota and it the log gets R14 lines.
        Memory: limits.memoryMb * R15_FACTOR * MB,
        MemorySwap: limits.memoryMb * R15_FACTOR * MB,
        PidsLimit: limits.pids,
        CapDrop: ['ALL'],
        SecurityOpt: ['no-new-privileges'],
        ReadonlyRootfs: true,
        Tmpfs: { '/tmp': 'rw,nosuid,nodev,mode=1777' },
        LogConfig: { Type: 'json-file', Config: { 'max-size': '10m', 'max-file': '1' } },
      },
    };
  }

  /** Streams the slug (a gzipped tar) into the container's /app, owned by the dyno user. */
  private async copySlug(container: Docker.Container, ref: BlobRef): Promise<void> {
    const key = `${ref.key}@${ref.checksum}`;
    if (!this.verified.has(key)) {
      await this.blobs.verify(ref);
      this.verified.add(key);
    }
    await container.putArchive(ownedByDyno(this.blobs.localPath(ref)) as unknown as NodeJS.ReadableStream, { path: '/app' });
  }

  /** Waits for the container to stop, then reports the exit (unless it was stopped on purpose). */
  private async watch(r: Running, output: Promise<void>): Promise<DynoExit> {
    let code: number | null = null;
    try {
      const res = await r.container.wait({ abortSignal: r.abort.signal }) as { StatusCode?: number };
      code = typeof res.StatusCode === 'number' ? res.StatusCode : null;
    } catch {
      if (r.abort.signal.aborted) return { code: null, signal: null };
    }
    await Promise.race([output, new Promise((resolve) => setTimeout(resolve, 2000).unref())]);
    const state = await r.container.inspect().then((i) => i.State).catch(() => undefined);
    const exit: DynoExit = { code, signal: code !== null && code > 128 ? signalName(code - 128) : null, ...(state?.OOMKilled ? { oomKilled: true } : {}) };
    if (r.stopping || this.closed || r.attached) {
      if (r.attached && !r.stopping) await this.discard(r);
      return exit;
    }
    await this.discard(r);
    for (const l of this.exitListeners) l(r.handle.id, exit);
    return exit;
  }

  /** Forgets a dyno and removes its container (and its /app volume). */
  private async discard(r: Running): Promise<void> {
    if (this.running.get(r.handle.id) === r) {
      this.running.delete(r.handle.id);
      this.ports.release(r.handle.port);
    }
    r.abort.abort();
    await r.container.remove({ force: true, v: true }).catch(() => undefined);
  }

  private ready(): Promise<void> {
    this.image ??= this.o.ensureImage().catch((err: Error) => {
      this.image = undefined;
      throw err;
    });
    return this.image;
  }

  private output(r: Running, line: string): void {
    if (this.running.get(r.handle.id) !== r) return;
    for (const l of this.outputListeners) l({ id: r.handle.id, appId: r.handle.appId, name: r.handle.name, line });
  }

  /** Samples every running dyno's memory; reports those above their quota (R14). */
  private async checkMemory(): Promise<void> {
    for (const r of [...this.running.values()]) {
      if (r.stopping || r.attached) continue;
      const stats = await r.container.stats({ stream: false, 'one-shot': true }).catch(() => undefined);
      const m = stats?.memory_stats as { usage?: number; stats?: Record<string, number> } | undefined;
      if (!m?.usage) continue;
      const usedMb = Math.round((m.usage - (m.stats?.inactive_file ?? 0)) / MB);
      if (usedMb > r.quotaMb) {
        for (const l of this.memoryListeners) l({ id: r.handle.id, appId: r.handle.appId, name: r.handle.name, usedMb, quotaMb: r.quotaMb });
      }
    }
  }
}

/**
 * The slug's tar with every entry owned by the dyno user (1000:1000), so the app may write in
 * /app as on Heroku (the engine keeps a tar's owners; the container runs without CAP_CHOWN).
 */
function ownedByDyno(file: string): tar.Pack {
  const pack = new tar.Pack({
    portable: false,
    onWriteEntry: (entry) => {
      // Entries taken from another archive (WriteEntryTar) carry these, read when their header is written.
      const e = entry as unknown as { uid?: number; gid?: number; uname?: string; gname?: string };
      e.uid = DYNO_UID;
      e.gid = DYNO_UID;
      e.uname = 'dyno';
      e.gname = 'dyno';
    },
  });
  const parser = new tar.Parser({ onReadEntry: (entry) => pack.add(entry) });
  parser.on('end', () => pack.end());
  parser.on('error', (err: Error) => pack.emit('error', err));
  const source = createReadStream(file);
  source.on('error', (err) => pack.emit('error', err));
  source.pipe(parser);
  return pack;
}

/** A container name unique per dyno instance: <scope>.<app>.<id>. */
function containerName(scope: string, spec: Pick<DynoSpec, 'appName' | 'id'>): string {
  return `${scope}.${spec.appName}.${spec.id}`.replace(/[^a-zA-Z0-9_.-]/g, '-');
}

const SIGNALS: Record<number, string> = { 1: 'SIGHUP', 2: 'SIGINT', 6: 'SIGABRT', 9: 'SIGKILL', 15: 'SIGTERM' };
function signalName(n: number): string | null {
  return SIGNALS[n] ?? null;
}

/** Removes every container of a scope (tests clean up with this). */
export async function removeScopeContainers(docker: Docker, scope: string): Promise<number> {
  const found = await docker.listContainers({ all: true, filters: { label: [`${L.scope}=${scope}`] } });
  await Promise.all(found.map((c) => docker.getContainer(c.Id).remove({ force: true, v: true }).catch(() => undefined)));
  return found.length;
}
