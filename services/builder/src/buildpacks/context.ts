import type { BuildLog } from '../adapters/build-log.js';
import type { AppCache } from '../adapters/build-cache.js';
import type { BuildFiles } from '../adapters/build-files.js';
import type { BuildLimits } from '../config.js';
import type { AppFiles } from '../domain/detect.js';
import type { Interpreter } from '../domain/python-plan.js';

/** A Python on the stack, and whether its own pip can install into a virtualenv made without pip (no ensurepip: faster). */
export interface StackPython extends Interpreter {
  readonly pipRunsElsewhere: boolean;
}

export interface SandboxRun {
  /** Host path of the directory the command runs in. */
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  readonly signal: AbortSignal;
  readonly onLine: (line: string) => void;
}

/**
 * Where a build's commands run: on the host, or in a container of the stack image (so compiled
 * dependencies match the stack dynos run on). Paths given to commands go through at().
 */
export interface Sandbox {
  /** The path a command sees for a host path inside the build's directories or the app's cache. */
  at(hostPath: string): string;
  /** A PATH for commands: `dirs` (as at() gives them) first, then the sandbox's own tools. */
  path(...dirs: string[]): string;
  /** The builder's variables a command may inherit (filtered by buildEnv). */
  readonly env: Readonly<Record<string, string | undefined>>;
  run(argv: readonly string[], o: SandboxRun): Promise<void>;
  pythons(): Promise<StackPython[]>;
  nodeVersion(): Promise<string>;
  close(): Promise<void>;
}

/** What a buildpack compiles with: the app dir, its files, the app's cache, config vars and output. */
export interface BuildContext {
  readonly appId: string;
  readonly appName: string;
  readonly buildId: string;
  /** The unpacked source, which becomes the slug (a host path). */
  readonly dir: string;
  /** A scratch directory outside the slug, removed with the build (a host path). */
  readonly scratch: string;
  readonly files: AppFiles;
  readonly config: Readonly<Record<string, string>>;
  /** The app's build cache, worked on as the build. */
  readonly cache: AppCache;
  /** File work on the build's trees after build code ran there, done as the build. */
  readonly tree: BuildFiles;
  readonly signal: AbortSignal;
  readonly out: BuildLog;
  readonly sandbox: Sandbox;
  /** Docker builds (heroku.yml): the network their RUN steps use and their limits. */
  readonly imageBuild?: { readonly network: string; readonly limits: BuildLimits };
  /** Runs a command in the app dir; its output goes indented under the current header, or to `onLine`. */
  run(argv: readonly string[], env: Readonly<Record<string, string>>, onLine?: (line: string) => void): Promise<void>;
}

/** What compiling adds to the slug beyond its files (Docker builds: the image per process type). */
export interface CompileResult {
  readonly processTypes?: Readonly<Record<string, string>>;
  readonly images?: Readonly<Record<string, { id: string; tag: string }>>;
}
