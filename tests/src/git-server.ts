import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { git } from './git.js';

/**
 * Git repositories served over smart HTTP on 127.0.0.1, as a hosting service would: a node HTTP
 * server running `git http-backend` as a CGI per request. Tests push to a repository on disk
 * (`path(name)`) and point apps at `url(name)`.
 */
export class GitServer {
  /** Every request's method and path, oldest first. */
  readonly requests: string[] = [];
  /** The Authorization headers requests came with. */
  readonly authorizations: string[] = [];

  private constructor(private readonly server: Server, readonly root: string) {}

  static async start(): Promise<GitServer> {
    const root = await mkdtemp(join(tmpdir(), 'paas-git-server-'));
    const server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      const cgi = spawn('git', ['http-backend'], {
        env: {
          PATH: process.env.PATH, GIT_PROJECT_ROOT: root, GIT_HTTP_EXPORT_ALL: '1', GIT_CONFIG_NOSYSTEM: '1', HOME: root,
          REQUEST_METHOD: req.method, PATH_INFO: decodeURIComponent(url.pathname), QUERY_STRING: url.search.slice(1),
          CONTENT_TYPE: req.headers['content-type'] ?? '', REMOTE_ADDR: '127.0.0.1',
          HTTP_CONTENT_ENCODING: req.headers['content-encoding'] ?? '', GIT_PROTOCOL: String(req.headers['git-protocol'] ?? ''),
        },
        stdio: ['pipe', 'pipe', 'ignore'],
      });
      server.emit('git-request', `${req.method} ${url.pathname}${url.search}`, req.headers.authorization);
      req.pipe(cgi.stdin);
      let head = Buffer.alloc(0);
      let sent = false;
      cgi.stdout.on('data', (chunk: Buffer) => {
        if (sent) return void res.write(chunk);
        head = Buffer.concat([head, chunk]);
        const end = head.indexOf('\r\n\r\n');
        if (end < 0) return;
        const headers: Record<string, string> = {};
        let status = 200;
        for (const line of head.subarray(0, end).toString().split('\r\n')) {
          const i = line.indexOf(':');
          const [k, v] = [line.slice(0, i).trim(), line.slice(i + 1).trim()];
          if (k.toLowerCase() === 'status') status = Number(v.split(' ')[0]);
          else headers[k] = v;
        }
        res.writeHead(status, headers);
        sent = true;
        res.write(head.subarray(end + 4));
      });
      cgi.on('close', () => (sent ? res.end() : res.writeHead(500).end()));
      cgi.on('error', () => res.writeHead(500).end());
    });
    const s = new GitServer(server, root);
    server.on('git-request', (r: string, auth: string | undefined) => {
      s.requests.push(r);
      if (auth) s.authorizations.push(auth);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return s;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** host:port, as PAAS_REPO_ALLOWED_HOSTS takes it. */
  get hostPort(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** A new empty bare repository `<name>.git`; returns its path on disk (push there). */
  async create(name: string): Promise<string> {
    const r = await git(this.root, 'init', '--bare', '--quiet', '--initial-branch=main', `${name}.git`);
    if (r.code !== 0) throw new Error(`git init --bare failed: ${r.output}`);
    return this.path(name);
  }

  path(name: string): string {
    return join(this.root, `${name}.git`);
  }

  /** The clone URL, optionally with credentials. */
  url(name: string, auth?: string): string {
    return `http://${auth ? `${auth}@` : ''}127.0.0.1:${this.port}/${name}.git`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((r) => this.server.close(r));
    await rm(this.root, { recursive: true, force: true });
  }
}
