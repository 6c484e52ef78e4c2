import type { DynoSize, TtySize } from '@paas/contracts';
import type { DynoExit, DynoHandle, DynoIdentity } from './adapters/runtime/driver.js';
import type { Cause } from './desired-state.service.js';
import type { LiveState } from './domain/dyno.js';

/** One dyno instance and its lifecycle bookkeeping. */
export interface DynoRecord extends DynoIdentity {
  size: DynoSize;
  state: LiveState;
  /** Where the dyno listens: its address (a container's on the tenant network, else the host's loopback) and $PORT, once started. */
  host: string | null;
  port: number | null;
  /** Whose socket on $PORT is the dyno's (see DynoHandle.owner). */
  owner?: number;
  startedAt: number;
  createdAt: string;
  updatedAt: string;
  crashes: number;
  restartAt: number | null;
  /** On its way to down: no longer planned for, no longer restarted. */
  stopping: boolean;
  /** Being killed by the manager itself (R10): its exit is not a crash of its own. */
  killing: boolean;
  /** The runtime is starting it; an exit reported meanwhile waits in pendingExit. */
  launching: boolean;
  pendingExit: DynoExit | null;
  routed: boolean;
  cause: Cause;
  /** A one-off dyno (run.N): outside the formation, never restarted, gone when its command ends. */
  oneOff: boolean;
  /** Extra environment of a one-off dyno (`heroku run -e`), over the release's config vars. */
  extraEnv: Readonly<Record<string, string>>;
  /** An attached one-off dyno created but not started: it starts once its client is connected (AttachDyno). */
  pendingAttach: boolean;
  /** An attached one-off dyno that runs in a terminal of this size (`heroku run bash` from a terminal). */
  tty?: TtySize;
  /** Drops a pending attached dyno nobody attached to. */
  dropTimer?: NodeJS.Timeout;
  /** Told once how a one-off dyno ended (its exit status; null when it could not start or was stopped). */
  onFinished?: (exitCode: number | null, name: string) => void;
}

/** A record for a dyno being started or adopted. */
export function newRecord(h: Omit<DynoHandle, 'host' | 'pid' | 'port'> & { host: string | null; port: number | null }, state: LiveState, size: DynoSize, cause: Cause): DynoRecord {
  const now = new Date(h.startedAt).toISOString();
  return {
    id: h.id, appId: h.appId, appName: h.appName, name: h.name, type: h.type, releaseVersion: h.releaseVersion, command: h.command,
    size, state, host: h.host, port: h.port, ...(h.owner !== undefined ? { owner: h.owner } : {}), startedAt: h.startedAt, createdAt: now, updatedAt: now, crashes: 0, restartAt: null,
    stopping: false, killing: false, launching: false, pendingExit: null, routed: false, cause,
    oneOff: /^(run|release)\./.test(h.name), extraEnv: {}, pendingAttach: false,
  };
}
