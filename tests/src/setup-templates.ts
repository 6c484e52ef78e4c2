import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as tar from 'tar';
import { waitFor } from '@paas/testing';
import type { Platform } from './platform.js';

/** Template tarballs (a tree with an app.json each) served over HTTP on loopback, as a Deploy button points at. */
export class TemplateServer {
  private readonly files = new Map<string, Buffer>();
  private constructor(private readonly server: Server, readonly url: string) {}

  static async start(): Promise<TemplateServer> {
    let self: TemplateServer | undefined;
    const server = createServer((req, res) => {
      const body = self?.files.get(req.url ?? '');
      if (!body) return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'application/gzip' }).end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    self = new TemplateServer(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    return self;
  }

  /** Serves `tree` as a .tar.gz at /<name>.tar.gz; answers its URL. */
  async add(name: string, tree: Record<string, string>): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'paas-template-'));
    try {
      for (const [path, text] of Object.entries(tree)) {
        await mkdir(dirname(join(dir, path)), { recursive: true });
        await writeFile(join(dir, path), text);
      }
      const chunks: Buffer[] = [];
      for await (const c of tar.c({ gzip: true, cwd: dir, portable: true }, Object.keys(tree))) chunks.push(c as Buffer);
      this.files.set(`/${name}.tar.gz`, Buffer.concat(chunks));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    return `${this.url}/${name}.tar.gz`;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/**
 * A Node app set up by app.json: a Postgres add-on, a required GREETING, a generated SECRET_KEY, a
 * default MODE, a postdeploy script that creates a table and inserts a row with the greeting, and a
 * web process that shows all of it (the secret only as whether it is 64 hex digits).
 */
export function seededApp(o: { description?: string } = {}): Record<string, string> {
  return {
    'app.json': JSON.stringify({
      name: 'Seeded notes',
      description: o.description ?? 'A web app whose first note is written by its postdeploy script.',
      website: 'https://example.com/seeded-notes',
      env: {
        GREETING: { description: 'What the first note says', required: true },
        SECRET_KEY: { description: 'Signs sessions', generator: 'secret' },
        MODE: { description: 'How the app runs', value: 'demo' },
      },
      addons: ['heroku-postgresql'],
      formation: { web: { quantity: 1, size: 'basic' } },
      scripts: { postdeploy: 'node seed.js' },
    }),
    'package.json': JSON.stringify({ name: 'seeded-notes', version: '1.0.0', scripts: { start: 'node web.js' }, dependencies: { pg: '^8.16.0' } }),
    Procfile: 'web: node web.js\n',
    'seed.js': [
      "const { Client } = require('pg');",
      '(async () => {',
      '  const c = new Client({ connectionString: process.env.DATABASE_URL });',
      '  await c.connect();',
      "  await c.query('create table notes (id serial primary key, body text not null)');",
      "  await c.query('insert into notes (body) values ($1)', [process.env.GREETING]);",
      "  console.log('seeded the notes table with: ' + process.env.GREETING);",
      '  await c.end();',
      '})().catch((err) => { console.error(err); process.exit(1); });',
      '',
    ].join('\n'),
    'web.js': [
      "const http = require('http');",
      "const { Pool } = require('pg');",
      'const db = new Pool({ connectionString: process.env.DATABASE_URL, max: 2 });',
      'http.createServer(async (req, res) => {',
      '  try {',
      "    const { rows } = await db.query('select body from notes order by id');",
      "    res.writeHead(200, { 'content-type': 'application/json' });",
      '    res.end(JSON.stringify({ notes: rows.map((r) => r.body), mode: process.env.MODE, secretIs64Hex: /^[0-9a-f]{64}$/.test(process.env.SECRET_KEY || "") }));',
      '  } catch (err) {',
      '    res.writeHead(500); res.end(String(err.message));',
      '  }',
      '}).listen(process.env.PORT);',
      '',
    ].join('\n'),
  };
}

/** Polls an app setup until it is no longer pending; answers its last state. */
export function setupOutcome(p: Platform, id: string, timeoutMs = 300_000): Promise<Record<string, any>> {
  return waitFor(`app setup ${id} to end`, async () => {
    const r = await p.api('GET', `/app-setups/${id}`);
    if (r.status !== 200) throw new Error(`GET /app-setups/${id} answered ${r.status}: ${JSON.stringify(r.body)}`);
    return r.body.status === 'pending' ? undefined : r.body as Record<string, any>;
  }, { timeoutMs, intervalMs: 500 });
}
