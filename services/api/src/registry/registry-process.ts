import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';

/** How the registry child is run and recognised. */
export interface RegistryProcessOptions {
  readonly binary: string;
  readonly configPath: string;
  readonly port: number;
  /** The X-Paas-Registry header value of this data dir's registry. */
  readonly instanceId: string;
  readonly log: { log(m: string): void; warn(m: string): void; debug(m: string): void };
}

const CHECK_MS = 2000;
const SETPRIV = '/usr/bin/setpriv';
const BACKOFF_MIN_MS = 500;
const BACKOFF_MAX_MS = 30_000;
/** A registry that ran this long without dying resets the restart backoff. */
const STABLE_MS = 60_000;

/**
 * The registry as a supervised child of the api: started when its port is free, restarted with a
 * backoff when it dies, stopped with the api. When the port already serves this data dir's registry
 * (another api process owns it), that one is used and watched: if it goes away, this api takes over.
 */
export class RegistryProcess {
  private child: ChildProcess | undefined;
  private timer: NodeJS.Timeout | undefined;
  private backoffMs = BACKOFF_MIN_MS;
  private notBefore = 0;
  private checking = false;
  private stopped = false;

  constructor(private readonly o: RegistryProcessOptions) {}

  /** The registry's process id when this api runs it (undefined when another api's is used). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  get url(): string {
    return `http://127.0.0.1:${this.o.port}`;
  }

  /** Starts (or finds) the registry and waits until it answers. */
  async start(deadlineMs = 20_000): Promise<void> {
    await this.ensure();
    const until = Date.now() + deadlineMs;
    while (!(await this.probe())) {
      if (Date.now() > until) throw new Error(`the registry did not answer on ${this.url} within ${deadlineMs} ms`);
      if (!this.child && !(await portFree(this.o.port))) throw new Error(`port ${this.o.port} (PAAS_REGISTRY_PORT) is taken by something that is not this data dir's registry: free it or set another port`);
      await new Promise((r) => setTimeout(r, 100));
    }
    this.timer = setInterval(() => void this.ensure(), CHECK_MS);
    this.timer.unref();
  }

  /** Stops the child (SIGTERM, SIGKILL after 5 s); a registry owned by another api keeps running. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }

  /** True when this data dir's registry answers on the port. */
  async probe(): Promise<boolean> {
    try {
      const res = await fetch(`${this.url}/v2/`, { signal: AbortSignal.timeout(2000) });
      await res.arrayBuffer();
      return res.headers.get('x-paas-registry') === this.o.instanceId;
    } catch {
      return false;
    }
  }

  /** Spawns the registry when nobody serves the port (ours died and its restart is due, or another api's went away). */
  private async ensure(): Promise<void> {
    if (this.stopped || this.child || this.checking || Date.now() < this.notBefore) return;
    this.checking = true;
    try {
      if (await this.probe()) return;
      const free = await portFree(this.o.port);
      // stop() may have come while we looked.
      if (free && !this.stopped && !this.child) this.spawnChild();
    } finally {
      this.checking = false;
    }
  }

  private spawnChild(): void {
    const started = Date.now();
    const argv = [this.o.binary, 'serve', this.o.configPath];
    // setpriv (util-linux) makes the kernel stop the registry when the api dies without cleaning up.
    const [cmd, ...args] = existsSync(SETPRIV) ? [SETPRIV, '--pdeathsig', 'TERM', '--', ...argv] : argv;
    const child = spawn(cmd!, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream! }).on('line', (line) => {
        if (!line.trim()) return;
        // Every refused or missing-blob request is logged at error level by the registry: routine for a push.
        if (line.includes('msg="response completed with error"')) this.o.log.debug(`registry: ${line.slice(0, 500)}`);
        else this.o.log.warn(`registry: ${line.slice(0, 500)}`);
      });
    }
    child.once('error', (err) => this.o.log.warn(`could not run ${this.o.binary}: ${err.message}`));
    child.once('exit', (code, signal) => {
      this.child = undefined;
      if (this.stopped) return;
      if (Date.now() - started > STABLE_MS) this.backoffMs = BACKOFF_MIN_MS;
      const wait = this.backoffMs;
      this.backoffMs = Math.min(this.backoffMs * 2, BACKOFF_MAX_MS);
      this.notBefore = Date.now() + wait;
      this.o.log.warn(`the registry exited (${signal ?? `status ${code}`}); starting it again in ${wait} ms`);
      setTimeout(() => void this.ensure(), wait).unref();
    });
  }
}

/** True when nothing listens on 127.0.0.1:port. */
function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A port nothing listens on now, for PAAS_REGISTRY_PORT=0. */
export function anyFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
