import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { chmod, chown, mkdir, open, rm } from 'node:fs/promises';
import { delimiter, dirname, join } from 'node:path';
import { appUid, closeDataDir, tenantCommand, type ProcessLimits } from '@paas/isolation';
import type { FileBlobStore } from '@paas/storage';
import { limitsOf, R15_FACTOR } from '../../domain/dyno-size.js';
import { AttachedChild } from './attached-process.js';
import type { AttachCallbacks, AttachedProcess, DynoExit, DynoHandle, DynoOutput, DynoSpec, RuntimeDriver } from './driver.js';
import { OutputTailer } from './output-tail.js';
import { PortAllocator } from './port-allocator.js';
import { ptyCommand } from './pty-command.js';
import { dynoDir, dynosRoot, groupAlive, isAlive, OUTPUT_FILE, procStart, readStates, signalGroup, writeState, type ProcessDynoState } from './process-state.js';
import { SlugUnpacker } from './slug.js';

export interface ProcessDriverOptions {
  readonly dataDir: string;
  readonly portMin: number;
  readonly portMax: number;
  /** How often adopted dynos (not our children) are checked for life. */
  readonly livenessPollMs?: number;
  /** Run each app's dynos as a user of its own (needs root); otherwise as the manager's user. */
  readonly appUsers: boolean;
  /** Replaces every size's memory quota (PAAS_DYNO_MEMORY_MB). */
  readonly memoryMb?: number;
}

/** An app user's processes, all its dynos together, and each process's open files (Heroku's number). */
const APP_PROCESSES = 4096;
const OPEN_FILES = 10_000;

/** Runs as $0 "<dyno name>" $1 "<command>": sources the buildpacks' .profile.d scripts, then becomes the command. */
const LAUNCH = 'for f in "$HOME"/.profile.d/*.sh; do [ -f "$f" ] && . "$f"; done; exec /bin/sh -c "$1"';
const HOST = '127.0.0.1';
/** The manager's PATH plus the directory of the node running it, so `node server.js` works however we were started. */
const DEFAULT_PATH = [process.env.PATH || '/usr/local/bin:/usr/bin:/bin', dirname(process.execPath)].join(delimiter);

interface Running {
  state: ProcessDynoState;
  readonly dir: string;
  /** Set for dynos this manager started; adopted ones are polled through /proc instead. */
  readonly child?: ChildProcess;
  exit?: DynoExit;
  stopping: boolean;
  holdsPort: boolean;
}

/**
 * The process runtime: each dyno is a detached process group running in its own directory's
 * `app` (the unpacked slug, also its $HOME), with its output appended to a file and a state file
 * beside that, out of the dyno's reach, so dynos outlive the manager and the next manager adopts
 * them. As root, every app's dynos run as a user of their own (see @paas/isolation's app users)
 * with rlimits by size, and the data dir is closed to them but for their own directories.
 */
export class ProcessDriver implements RuntimeDriver {
  private readonly running = new Map<string, Running>();
  /** Attached one-off dynos (`heroku run`): children with pipes, no state file, never adopted. */
  private readonly attached = new Map<string, AttachedChild>();
  private readonly exitListeners: ((id: string, exit: DynoExit) => void)[] = [];
  private readonly outputListeners: ((out: DynoOutput) => void)[] = [];
  private readonly ports: PortAllocator;
  private readonly slugs: SlugUnpacker;
  private readonly tailer: OutputTailer;
  /** Whose output each followed file is, known before the process starts: a command that ends at once still has its lines told. */
  private readonly speakers = new Map<string, { appId: string; name: string }>();
  private readonly liveness: NodeJS.Timeout;
  private closed = false;

  constructor(private readonly o: ProcessDriverOptions, blobs: FileBlobStore) {
    this.ports = new PortAllocator(o.portMin, o.portMax);
    this.slugs = new SlugUnpacker(blobs);
    this.tailer = new OutputTailer((id, line) => this.output(id, line));
    this.liveness = setInterval(() => void this.checkAdopted(), o.livenessPollMs ?? 1000);
    this.liveness.unref();
  }

  async start(spec: DynoSpec): Promise<DynoHandle> {
    if (spec.image) throw new Error(`${spec.name} of ${spec.appName} runs a Docker image (a heroku.yml build): the process runtime cannot run it, set PAAS_RUNTIME=docker`);
    const dir = dynoDir(this.o.dataDir, spec.appName, spec.id);
    const previous = this.running.get(spec.id);
    if (previous) this.forget(spec.id, previous); // a crashed instance being restarted
    let entry: Running | undefined;
    let port: number | undefined;
    try {
      const prepared = await this.prepare(spec, dir);
      port = prepared.port;
      this.speakers.set(spec.id, { appId: spec.appId, name: spec.name });
      await this.tailer.follow(spec.id, join(dir, OUTPUT_FILE), false);
      const child = await this.spawn(spec, dir, port, prepared.uid);
      const owner = prepared.uid !== undefined ? { owner: prepared.uid } : {};
      const started: Running = { state: { ...describe(spec), port, pid: child.pid!, procStart: '', startedAt: Date.now(), ...owner }, dir, child, stopping: false, holdsPort: true };
      entry = started;
      this.running.set(spec.id, started);
      // A command that ends at once may have exited while its spawn was being finished: then its
      // 'exit' event is gone already, and only exitCode/signalCode tell.
      if (child.exitCode !== null || child.signalCode !== null) {
        setImmediate(() => this.exited(spec.id, started, { code: child.exitCode, signal: child.signalCode }));
      } else child.once('exit', (code, signal) => this.exited(spec.id, started, { code, signal }));
      // If it already died, the exit event reports it; the state file then names a dead process.
      started.state = { ...started.state, procStart: (await procStart(child.pid!)) ?? 'gone' };
      await writeState(dir, started.state);
      return handleOf(started.state);
    } catch (err) {
      if (entry) {
        entry.stopping = true;
        signalGroup(entry.state.pid, 'SIGKILL');
        this.forget(spec.id, entry);
      } else if (port !== undefined) this.ports.release(port);
      await this.tailer.unfollow(spec.id);
      this.speakers.delete(spec.id);
      await rm(dir, { recursive: true, force: true }).catch(() => undefined);
      throw new Error(`starting ${spec.name} of ${spec.appName}: ${(err as Error).message}`);
    }
  }

  async startAttached(spec: DynoSpec, callbacks: AttachCallbacks): Promise<AttachedProcess> {
    if (spec.image) throw new Error(`${spec.name} of ${spec.appName} runs a Docker image (a heroku.yml build): the process runtime cannot run it, set PAAS_RUNTIME=docker`);
    const dir = dynoDir(this.o.dataDir, spec.appName, spec.id);
    let port: number | undefined;
    try {
      const prepared = await this.prepare(spec, dir);
      port = prepared.port;
      // Detached: its own process group, so stop() and the end of the command reach all it started.
      const argv = ['/bin/sh', '-c', LAUNCH, spec.name, spec.command];
      const pty = spec.tty ? ptyCommand(argv, spec.tty) : undefined;
      const run = this.command(spec, prepared.uid, pty ? [pty.file, ...pty.args] : argv);
      const home = join(dir, 'app');
      const child = spawn(run.file, run.args, { cwd: home, env: envOf(spec, home, port), detached: true, stdio: 'pipe' });
      await once(child, 'spawn').catch((err: NodeJS.ErrnoException) => {
        throw spec.tty && err.code === 'ENOENT' ? new Error('a terminal for it needs util-linux `script` on the PATH (Debian package bsdutils)') : err;
      });
      const held = port;
      const handle = { ...describe(spec), host: HOST, port, pid: child.pid!, startedAt: Date.now(), ...(prepared.uid !== undefined ? { owner: prepared.uid } : {}) };
      const a = new AttachedChild(handle, child, callbacks, async () => {
        this.attached.delete(spec.id);
        this.ports.release(held);
        await rm(dir, { recursive: true, force: true }).catch(() => undefined);
      });
      this.attached.set(spec.id, a);
      return a;
    } catch (err) {
      if (port !== undefined) this.ports.release(port);
      await rm(dir, { recursive: true, force: true }).catch(() => undefined);
      throw new Error(`starting ${spec.name} of ${spec.appName}: ${(err as Error).message}`);
    }
  }

  async stop(id: string, graceMs: number): Promise<DynoExit> {
    const attached = this.attached.get(id);
    if (attached) return attached.stop(graceMs);
    const entry = this.running.get(id);
    if (!entry) return { code: null, signal: null };
    entry.stopping = true;
    let forced = false;
    // Only a verified leader's group is signalled: a stale pid may be someone else's by now.
    if (!entry.exit && await isAlive(entry.state)) {
      const pgid = entry.state.pid;
      if (signalGroup(pgid, 'SIGTERM') && !await waitGone(pgid, graceMs)) {
        signalGroup(pgid, 'SIGKILL');
        forced = true;
        await waitGone(pgid, 10_000);
      }
    }
    if (entry.child && !entry.exit) await Promise.race([once(entry.child, 'exit'), new Promise((r) => setTimeout(r, 1000))]);
    await this.tailer.unfollow(id);
    this.speakers.delete(id);
    this.forget(id, entry);
    await rm(entry.dir, { recursive: true, force: true });
    const exit = entry.exit ?? { code: null, signal: null };
    return forced ? { ...exit, forced } : exit;
  }

  async list(): Promise<DynoHandle[]> {
    const out: DynoHandle[] = [];
    for (const { dir, id, state } of await readStates(this.o.dataDir)) {
      const known = this.running.get(id);
      if (known) {
        if (!known.exit) out.push(handleOf(known.state));
      } else if (state && await isAlive(state)) {
        this.running.set(id, { state, dir, stopping: false, holdsPort: true });
        this.ports.reserve(state.port);
        this.speakers.set(id, { appId: state.appId, name: state.name });
        await this.tailer.follow(id, join(dir, OUTPUT_FILE), true);
        out.push(handleOf(state));
      } else {
        await rm(dir, { recursive: true, force: true });
      }
    }
    return out;
  }

  onExit(listener: (id: string, exit: DynoExit) => void): void {
    this.exitListeners.push(listener);
  }

  onOutput(listener: (out: DynoOutput) => void): void {
    this.outputListeners.push(listener);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.liveness);
    this.tailer.close();
    for (const e of this.running.values()) e.child?.removeAllListeners('exit');
    this.running.clear();
    // Nobody could attach to these again through a later manager: they end with this one.
    for (const a of this.attached.values()) a.kill();
  }

  /**
   * A fresh dyno directory (the manager's, 0711) holding `app`, the dyno's own (0700), with the
   * slug unpacked in it; resolves with the dyno's $PORT and the user it runs as.
   */
  private async prepare(spec: DynoSpec, dir: string): Promise<{ port: number; uid: number | undefined }> {
    const uid = this.o.appUsers ? await appUid(this.o.dataDir, spec.appId) : undefined;
    await rm(dir, { recursive: true, force: true });
    await mkdir(join(dir, 'app'), { recursive: true });
    if (uid !== undefined) {
      await closeDataDir(this.o.dataDir);
      for (const d of [dynosRoot(this.o.dataDir), dirname(dir), dir]) await chmod(d, 0o711);
      await chmod(join(dir, 'app'), 0o700);
      await chown(join(dir, 'app'), uid, uid);
    }
    await this.slugs.unpack(spec.slug, join(dir, 'app'), uid);
    return { port: await this.ports.allocate(), uid };
  }

  /** The dyno's command as its app's user within its size's limits. */
  private command(spec: DynoSpec, uid: number | undefined, argv: readonly string[]): { file: string; args: string[] } {
    const { memoryMb } = limitsOf(spec.size ?? 'standard-1x', this.o.memoryMb);
    const limits: ProcessLimits = { memoryMb: memoryMb * R15_FACTOR, processes: APP_PROCESSES, files: OPEN_FILES };
    const [file, ...args] = tenantCommand(uid, limits, argv);
    return { file: file!, args };
  }

  private async spawn(spec: DynoSpec, dir: string, port: number, uid: number | undefined): Promise<ChildProcess> {
    const out = await open(join(dir, OUTPUT_FILE), 'a', 0o600);
    try {
      const home = join(dir, 'app');
      const run = this.command(spec, uid, ['/bin/sh', '-c', LAUNCH, spec.name, spec.command]);
      // Detached: its own process group, so stop() reaches every process it starts, and it survives us.
      const child = spawn(run.file, run.args, { cwd: home, env: envOf(spec, home, port), detached: true, stdio: ['ignore', out.fd, out.fd] });
      await once(child, 'spawn');
      child.unref();
      return child;
    } finally {
      await out.close();
    }
  }

  /** A crashed dyno stays listed here (without its port) until stop() or a restart clears it. */
  private exited(id: string, entry: Running, exit: DynoExit): void {
    entry.exit = exit;
    this.releasePort(entry);
    if (entry.stopping || this.closed) return;
    // The dyno is over when its command is: whatever it left in the background goes too.
    signalGroup(entry.state.pid, 'SIGKILL');
    void this.tailer.unfollow(id).finally(() => {
      for (const l of this.exitListeners) l(id, exit);
    });
  }

  private forget(id: string, entry: Running): void {
    if (this.running.get(id) === entry) this.running.delete(id);
    this.releasePort(entry);
  }

  private releasePort(entry: Running): void {
    if (entry.holdsPort) this.ports.release(entry.state.port);
    entry.holdsPort = false;
  }

  private async checkAdopted(): Promise<void> {
    for (const [id, e] of this.running) {
      if (!e.child && !e.stopping && !e.exit && !await isAlive(e.state)) this.exited(id, e, { code: null, signal: null });
    }
  }

  private output(id: string, line: string): void {
    const who = this.speakers.get(id);
    if (!who) return;
    for (const l of this.outputListeners) l({ id, appId: who.appId, name: who.name, line });
  }
}

type Described = Pick<DynoSpec, 'id' | 'appId' | 'appName' | 'name' | 'type' | 'releaseVersion' | 'command'>;

/** Waits until no process of the group runs; false when `ms` passed first. */
async function waitGone(pgid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (!await groupAlive(pgid)) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A dyno's environment: the config vars, then what the platform sets. */
function envOf(spec: DynoSpec, dir: string, port: number): NodeJS.ProcessEnv {
  return { PATH: DEFAULT_PATH, ...spec.env, PORT: String(port), DYNO: spec.name, PS: spec.name, HOME: dir };
}

function describe(s: Described): Described {
  return { id: s.id, appId: s.appId, appName: s.appName, name: s.name, type: s.type, releaseVersion: s.releaseVersion, command: s.command };
}

function handleOf(s: ProcessDynoState): DynoHandle {
  return { ...describe(s), host: HOST, port: s.port, pid: s.pid, startedAt: s.startedAt, ...(s.owner !== undefined ? { owner: s.owner } : {}) };
}
