import type { BlobRef, DynoSize, TtySize } from '@paas/contracts';

/** Who a dyno instance is and what it runs; shared by specs, handles, state files and records. */
export interface DynoIdentity {
  /** Unique per instance (web-1-3f9a0c12); the same id is reused when a crashed dyno restarts. */
  readonly id: string;
  readonly appId: string;
  readonly appName: string;
  /** web.1 */
  readonly name: string;
  readonly type: string;
  readonly releaseVersion: number;
  /** The process type's command from the release (a shell command line). */
  readonly command: string;
}

/** Everything a runtime needs to run one dyno instance. */
export interface DynoSpec extends DynoIdentity {
  /** The release's config vars; never logged. */
  readonly env: Readonly<Record<string, string>>;
  readonly slug: BlobRef;
  /** A Docker build's image to run instead of the stack image with the slug (docker runtime only). */
  readonly image?: string;
  /** Sets the docker runtime's memory and process limits (standard-1x when absent). */
  readonly size?: DynoSize;
  /**
   * startAttached only: run the command in a terminal of this size. Its output then comes as one
   * stream (stdout and stderr through the terminal) and stdin goes through the terminal as typed.
   */
  readonly tty?: TtySize;
}

/** A dyno the runtime runs (started now, or found running and adopted). */
export interface DynoHandle extends DynoIdentity {
  readonly host: string;
  /** $PORT of the dyno. */
  readonly port: number;
  /**
   * The user whose socket must listen on $PORT for the dyno to be up (process runtime with app
   * users, where every dyno shares the host's ports); absent where the address is the dyno's own.
   */
  readonly owner?: number;
  readonly pid: number;
  /** When the process started (ms since epoch). */
  readonly startedAt: number;
}

export interface DynoExit {
  /** Exit status, or null when unknown (an adopted process, or one killed by a signal). */
  readonly code: number | null;
  readonly signal: string | null;
  /** Set by stop(): a process outlived the grace period and was killed (R12). */
  readonly forced?: boolean;
  /** The runtime killed it for passing its memory limit (R15). */
  readonly oomKilled?: boolean;
}

/** A dyno using more memory than its quota (R14), as sampled by the runtime. */
export interface DynoMemory {
  readonly id: string;
  readonly appId: string;
  readonly name: string;
  readonly usedMb: number;
  readonly quotaMb: number;
}

/** One line a dyno wrote to stdout or stderr. */
export interface DynoOutput {
  readonly id: string;
  readonly appId: string;
  readonly name: string;
  readonly line: string;
}

/** Where an attached dyno's output and exit go: output as raw bytes, the exit once all output was passed on. */
export interface AttachCallbacks {
  onOutput(chunk: Buffer): void;
  onExit(exit: DynoExit): void;
}

/** An attached dyno's running process: its stdin, written by whoever is attached. */
export interface AttachedProcess {
  readonly handle: DynoHandle;
  write(data: Buffer): void;
  /** Closes stdin (the client sent end-of-input). */
  end(): void;
}

/**
 * Runs dynos: as process groups (process-driver.ts) or as containers (docker-driver.ts). Dynos
 * outlive the manager; a new manager adopts them through list().
 */
export interface RuntimeDriver {
  /** Prepares the slug and starts the command; resolves once the process runs. */
  start(spec: DynoSpec): Promise<DynoHandle>;
  /**
   * Prepares the slug and starts the command with pipes instead of an output file (`heroku run`).
   * Such a dyno is not adopted by a later manager: nobody could attach to it again.
   */
  startAttached(spec: DynoSpec, callbacks: AttachCallbacks): Promise<AttachedProcess>;
  /** Stops a dyno (SIGTERM, then SIGKILL after graceMs) and removes what it left. */
  stop(id: string, graceMs: number): Promise<DynoExit>;
  /** The dynos running now, adopted: their exits and output are reported from now on. */
  list(): Promise<DynoHandle[]>;
  /** Called when a dyno exits on its own (not through stop()). */
  onExit(listener: (id: string, exit: DynoExit) => void): void;
  onOutput(listener: (out: DynoOutput) => void): void;
  /** Dynos above their memory quota (runtimes that enforce one). */
  onMemory?(listener: (m: DynoMemory) => void): void;
  /** Stops watching; the dynos keep running. */
  close(): Promise<void>;
}
