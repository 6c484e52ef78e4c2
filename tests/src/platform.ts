import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { git, pushUrl } from './git.js';
import { cleanup, freePort, freshDataDir, freshDatabase, freshNamespace, waitFor } from '@paas/testing';

// tests/dist/src -> the repository root
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const SERVICES = ['release', 'builder', 'dyno-manager', 'router', 'api'] as const;

export { freePort } from '@paas/testing';

/** The five services running as their own processes, as `npm start` runs them, on a private namespace. */
export class Platform {
  readonly logs: string[] = [];
  private readonly children = new Map<string, ChildProcess>();
  private extraEnv: Record<string, string> = {};

  private constructor(
    readonly namespace: string, readonly databaseUrl: string, readonly dataDir: string,
    readonly apiPort: number, readonly routerPort: number, readonly apiKey: string, readonly apiTlsPort: number,
    /** The api's rendezvous listener of `heroku run` (TLS, platform CA). */
    readonly rendezvousPort: number,
  ) {}

  get apiUrl(): string { return `http://127.0.0.1:${this.apiPort}`; }
  /** The same Platform API and git over HTTPS, with a certificate from the platform CA. */
  get apiTlsUrl(): string { return `https://127.0.0.1:${this.apiTlsPort}`; }
  /** The platform CA the api makes on first start; clients trust it to reach apiTlsUrl. */
  get caPath(): string { return join(this.dataDir, 'tls', 'ca.pem'); }
  get routerUrl(): string { return `http://127.0.0.1:${this.routerPort}`; }

  static async start(extraEnv: Record<string, string> = {}): Promise<Platform> {
    const p = new Platform(freshNamespace('e2e'), await freshDatabase(), await freshDataDir('paas-e2e-'), await freePort(), await freePort(), 'test-key-' + Math.random().toString(36).slice(2), await freePort(), await freePort());
    try {
      p.extraEnv = extraEnv;
      for (const s of SERVICES) p.spawn(s, extraEnv);
      await waitFor('all five services to answer /healthz', async () => {
        const dead = [...p.children].find(([, c]) => c.exitCode !== null || c.signalCode !== null);
        if (dead) throw new Error(`${dead[0]} exited during start`);
        const r = await fetch(`${p.apiUrl}/healthz`).catch(() => undefined);
        // Our api's own answer, not just anything on that port.
        const body = r?.status === 200 ? await r.json().catch(() => undefined) as { ok?: boolean; services?: object } | undefined : undefined;
        return body?.ok === true && typeof body.services === 'object';
      }, { timeoutMs: 60_000, intervalMs: 200, failFast: (err) => /exited during start/.test(err.message) });
    } catch (err) {
      await p.stop();
      throw new Error(`${(err as Error).message}\n--- service logs ---\n${p.logs.slice(-60).join('\n')}`);
    }
    return p;
  }

  env(extra: Record<string, string>): NodeJS.ProcessEnv {
    return {
      ...process.env, ...extra,
      PAAS_NAMESPACE: this.namespace, DATABASE_URL: this.databaseUrl, PAAS_DATA_DIR: this.dataDir,
      PAAS_API_PORT: String(this.apiPort), PAAS_API_TLS_PORT: String(this.apiTlsPort), PAAS_RENDEZVOUS_PORT: String(this.rendezvousPort), PAAS_GRPC_PORT: '0', PAAS_REGISTRY_PORT: extra.PAAS_REGISTRY_PORT ?? '0', PAAS_ROUTER_PORT: String(this.routerPort), PAAS_API_KEY: this.apiKey,
      PAAS_DYNO_STOP_GRACE_MS: '3000', PAAS_LOG_LEVEL: 'log', FORCE_COLOR: '0',
    };
  }

  private spawn(service: string, extra: Record<string, string>, program = service, override: Record<string, string> = {}): void {
    // setpriv (util-linux) asks the kernel to stop the service when this test process dies, so a
    // spec file killed at its timeout leaves no platform behind; it then execs node (same pid).
    const child = spawn('setpriv', ['--pdeathsig', 'TERM', '--', process.execPath, '--enable-source-maps', join(root, 'services', program, 'dist', 'src', 'main.js')], { env: { ...this.env(extra), ...override }, stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (d: Buffer) => { for (const l of d.toString().split('\n')) if (l) this.logs.push(`${service}| ${l}`); };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    this.children.set(service, child);
  }

  /** Calls the Platform API with the key; returns status and parsed body. */
  async api(method: string, path: string, body?: unknown, key: string | null = this.apiKey): Promise<{ status: number; body: any }> {
    const headers: Record<string, string> = { accept: 'application/vnd.heroku+json; version=3', 'content-type': 'application/json' };
    if (key) headers.authorization = `Bearer ${key}`;
    const r = await fetch(`${this.apiUrl}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await r.text();
    return { status: r.status, body: text ? JSON.parse(text) : null };
  }

  /** `git push` of the repository's main to the app over HTTP with the key; `force` replaces whatever the app had. */
  push(dir: string, app: string, o: { force?: boolean } = {}): Promise<{ code: number; output: string }> {
    return git(dir, 'push', pushUrl(this.apiUrl, this.apiKey, app), o.force ? '+main:main' : 'main');
  }

    /** GET through the router with the app's Host header. */
  async viaRouter(app: string, path = '/'): Promise<{ status: number; body: string; headers: Headers }> {
    const { request } = await import('node:http');
    return new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: this.routerPort, path, headers: { host: `${app}.localhost:${this.routerPort}` } }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode!, body, headers: new Headers(res.headers as Record<string, string>) }));
      });
      req.on('error', reject);
      req.end();
    });
  }

  /** The process id of one service (to read its memory, say). */
  pid(service: string): number {
    const pid = this.children.get(service)?.pid;
    if (pid === undefined) throw new Error(`${service} is not running`);
    return pid;
  }

  /** Starts one more router process on `port`, sharing the route table; stop() stops it too. */
  async startRouter(port: number): Promise<void> {
    const name = `router-${port}`;
    this.spawn(name, this.extraEnv, 'router', { PAAS_ROUTER_PORT: String(port) });
    await waitFor(`the second router on ${port} to listen`, async () => {
      const c = this.children.get(name)!;
      if (c.exitCode !== null) throw new Error(`${name} exited during start`);
      return (await fetch(`http://127.0.0.1:${port}/`, { headers: { host: 'nothing.localhost' } }).catch(() => undefined))?.status === 404;
    }, { timeoutMs: 30_000, intervalMs: 100 });
  }

  /** Stops one service's process and waits until it is gone. */
  async kill(service: string): Promise<void> {
    const c = this.children.get(service);
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      c.once('exit', () => resolve());
      c.kill('SIGTERM');
    });
  }

  /** Starts a service stopped with kill() again, with the platform's settings; for the api, waits until it answers. */
  async restart(service: (typeof SERVICES)[number]): Promise<void> {
    await this.kill(service);
    this.spawn(service, this.extraEnv);
    if (service !== 'api') return;
    await waitFor('the restarted api to answer /healthz', async () => {
      if (this.children.get(service)!.exitCode !== null) throw new Error('the api exited during start');
      return (await fetch(`${this.apiUrl}/healthz`).catch(() => undefined))?.status === 200;
    }, { timeoutMs: 60_000, intervalMs: 200, failFast: (err) => /exited during start/.test(err.message) });
  }

  /** Stops the services, then every dyno they left, then removes namespace, database and data dir. */
  async stop(): Promise<void> {
    await Promise.all([...this.children.values()].map((c) => new Promise<void>((resolve) => {
      if (c.exitCode !== null || c.signalCode !== null) return resolve();
      c.once('exit', () => resolve());
      c.kill('SIGTERM');
      setTimeout(() => c.kill('SIGKILL'), 10_000).unref();
    })));
    await killDynos(this.dataDir);
    // With the auto (default) or docker runtime the dynos are containers, which outlive the manager too.
    const { removeDockerDynos } = await import('@paas/dyno-manager');
    await removeDockerDynos(this.namespace);
    await cleanup({ namespace: this.namespace, databaseUrl: this.databaseUrl, dataDir: this.dataDir });
  }
}

/** Kills every process-driver dyno recorded under a data dir (they outlive the manager by design). */
export async function killDynos(dataDir: string): Promise<void> {
  const { stopAllProcessDynos } = await import('@paas/dyno-manager');
  await stopAllProcessDynos(dataDir);
}
