import { pythonServer } from './git.js';
/**
 * A web + worker app that shares state only through its add-ons: the web dyno queues items in
 * Redis, the worker pops them and writes them into Postgres, the web dyno reads them back. Its
 * dependencies (pg, ioredis) come from the npm registry through the build's npm install.
 */
export function queueApp(version: string): Record<string, string> {
  return {
    'package.json': JSON.stringify({ name: 'queue-app', version: '1.0.0', scripts: { start: 'node web.js' }, dependencies: { pg: '^8.16.0', ioredis: '^5.4.1' } }),
    Procfile: 'web: node web.js\nworker: node worker.js\n',
    'shared.js': [
      "const { Pool } = require('pg');",
      "const Redis = require('ioredis');",
      '// The add-on user may only touch keys under its own prefix: its user name and a colon.',
      "const prefix = decodeURIComponent(new URL(process.env.REDIS_URL).username) + ':';",
      'const db = new Pool({ connectionString: process.env.DATABASE_URL, max: 2 });',
      "const ready = db.query('create table if not exists items (id serial primary key, body text not null, by_dyno text not null)');",
      'module.exports = { db, ready, prefix, redis: () => new Redis(process.env.REDIS_URL), queue: prefix + "jobs" };',
      '',
    ].join('\n'),
    'web.js': [
      "const http = require('http');",
      "const { db, ready, redis, queue } = require('./shared');",
      'const r = redis();',
      `const VERSION = ${JSON.stringify(version)};`,
      'http.createServer(async (req, res) => {',
      '  try {',
      "    const url = new URL(req.url, 'http://x');",
      "    if (url.pathname === '/enqueue') {",
      "      await r.lpush(queue, url.searchParams.get('item'));",
      "      res.writeHead(202); return res.end('queued');",
      '    }',
      '    await ready;',
      "    const { rows } = await db.query('select body, by_dyno from items order by id');",
      "    res.writeHead(200, { 'content-type': 'application/json' });",
      '    res.end(JSON.stringify({ version: VERSION, items: rows }));',
      '  } catch (err) {',
      "    res.writeHead(500); res.end(String(err.message));",
      '  }',
      '}).listen(process.env.PORT);',
      '',
    ].join('\n'),
    'worker.js': [
      "const { db, ready, redis, queue } = require('./shared');",
      'const r = redis();',
      '(async () => {',
      '  await ready;',
      '  for (;;) {',
      '    const [, item] = await r.brpop(queue, 0);',
      "    await db.query('insert into items (body, by_dyno) values ($1, $2)', [item, process.env.DYNO]);",
      '  }',
      '})().catch((err) => { console.error(err); process.exit(1); });',
      '',
    ].join('\n'),
  };
}

/** A Django-shaped Python app (manage.py) that needs no packages: it answers whether it has a database. */
export const djangoShapedApp = {
  'requirements.txt': '',
  'manage.py': '# a Django project would be managed from here\n',
  Procfile: 'web: python3 app.py\n',
  'app.py': pythonServer("'database: ' + ('yes' if os.environ.get('DATABASE_URL') else 'no')"),
};
