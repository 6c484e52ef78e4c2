import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { Redis } from 'ioredis';
import pg from 'pg';
import { waitFor } from '@paas/testing';
import { djangoShapedApp, queueApp } from './addon-apps.js';
import { git, pushUrl, repoWith } from './git.js';
import { HerokuCli, type CliResult } from './heroku-cli.js';
import { Platform } from './platform.js';

const ADMIN_PG = `postgres://${process.env.PGUSER || userInfo().username}@127.0.0.1:5432/postgres`;

async function query(url: string, sql: string, params: unknown[] = []): Promise<pg.QueryResult> {
  const c = new pg.Client({ connectionString: url });
  c.on('error', () => undefined);
  await c.connect();
  try {
    return await c.query(sql, params);
  } finally {
    await c.end();
  }
}

const withDatabase = (url: string, db: string) => Object.assign(new URL(url), { pathname: `/${db}` }).toString();
const dbOf = (url: string) => new URL(url).pathname.slice(1);

interface Items { version: string; items: { body: string; by_dyno: string }[] }

describe('add-ons: real Postgres and Redis per app, attached through config vars and releases', () => {
  let p: Platform;
  const dirs: string[] = [];
  let queueDir = '';
  let firstDeploy = 0;

  const config = async (app: string): Promise<Record<string, string>> => (await p.api('GET', `/apps/${app}/config-vars`)).body;
  const items = async (app: string): Promise<Items | undefined> => {
    const r = await p.viaRouter(app, '/items');
    return r.status === 200 ? JSON.parse(r.body) as Items : undefined;
  };

  before(async () => {
    p = await Platform.start();
  });

  after(async () => {
    await p?.stop(); // drops the databases, roles and Redis users the platform's log recorded, whatever the tests left
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  });

  test('a web dyno queues in Redis, a worker dyno writes into Postgres, the web dyno reads it back', async () => {
    assert.equal((await p.api('POST', '/apps', { name: 'queue-app' })).status, 201);
    const pgAddon = await p.api('POST', '/apps/queue-app/addons', { plan: 'heroku-postgresql:essential-0' });
    assert.equal(pgAddon.status, 201, JSON.stringify(pgAddon.body));
    assert.equal(pgAddon.body.state, 'provisioned');
    assert.equal(pgAddon.body.addon_service.name, 'heroku-postgresql');
    assert.equal(pgAddon.body.plan.name, 'heroku-postgresql:essential-0');
    assert.equal(pgAddon.body.config_vars[0], 'DATABASE_URL');
    const redisAddon = await p.api('POST', '/apps/queue-app/addons', { plan: { name: 'heroku-redis' }, attachment: { name: null } });
    assert.equal(redisAddon.status, 201, JSON.stringify(redisAddon.body));
    assert.deepEqual(redisAddon.body.config_vars, ['REDIS_URL']);

    queueDir = await repoWith(queueApp('one'));
    dirs.push(queueDir);
    const push = await git(queueDir, 'push', pushUrl(p.apiUrl, p.apiKey, 'queue-app'), 'main');
    assert.equal(push.code, 0, push.output);
    const releases = (await p.api('GET', '/apps/queue-app/releases')).body as { version: number; description: string }[];
    assert.deepEqual(releases.map((r) => r.description.replace(/@ref:[a-z0-9-]+/, '@ref')).slice(0, 3), ['Initial release', 'Attach DATABASE (@ref)', 'Attach REDIS (@ref)']);
    assert.match(releases.at(-1)!.description, /^Deploy /);
    firstDeploy = releases.at(-1)!.version;
    assert.equal((await p.api('PATCH', '/apps/queue-app/formation', { updates: [{ type: 'worker', quantity: 1 }] })).status, 200);

    assert.equal((await waitFor('the web dyno to queue an item', async () => {
      const r = await p.viaRouter('queue-app', '/enqueue?item=hello');
      return r.status === 202 ? r : undefined;
    }, { timeoutMs: 60_000 })).body, 'queued');
    const seen = await waitFor('the worker to write the item where the web dyno reads it', async () => {
      const got = await items('queue-app');
      return got && got.items.length === 1 ? got : undefined;
    }, { timeoutMs: 60_000 });
    assert.deepEqual(seen, { version: 'one', items: [{ body: 'hello', by_dyno: 'worker.1' }] });
  });

  test('a rollback does not revert add-on data', async () => {
    await repoWithNewCommit(queueDir, queueApp('two'));
    const push = await git(queueDir, 'push', pushUrl(p.apiUrl, p.apiKey, 'queue-app'), 'main');
    assert.equal(push.code, 0, push.output);
    await waitFor('version two to serve', async () => (await items('queue-app'))?.version === 'two', { timeoutMs: 60_000 });
    assert.equal((await p.viaRouter('queue-app', '/enqueue?item=second')).status, 202);
    await waitFor('the second item to be written', async () => (await items('queue-app'))?.items.length === 2, { timeoutMs: 30_000 });

    const rolled = await p.api('POST', '/apps/queue-app/releases', { release: String(firstDeploy) });
    assert.equal(rolled.status, 201, JSON.stringify(rolled.body));
    assert.equal(rolled.body.description, `Rollback to v${firstDeploy}`);
    const after = await waitFor('the rolled-back code to serve', async () => {
      const got = await items('queue-app');
      return got?.version === 'one' ? got : undefined;
    }, { timeoutMs: 60_000 });
    assert.deepEqual(after.items.map((i) => i.body), ['hello', 'second'], 'the data written after the old release is still there');
  });

  test("isolation: an app's DATABASE_URL cannot open another app's database, its Redis user cannot read another's keys", async () => {
    assert.equal((await p.api('POST', '/apps', { name: 'other-app' })).status, 201);
    assert.equal((await p.api('POST', '/apps/other-app/addons', { plan: 'heroku-postgresql' })).status, 201);
    const redis = await p.api('POST', '/apps/other-app/addons', { plan: 'heroku-redis:mini' });
    assert.equal(redis.status, 201);
    const a = await config('queue-app');
    const b = await config('other-app');
    await assert.rejects(query(withDatabase(a.DATABASE_URL!, dbOf(b.DATABASE_URL!)), 'select 1'), (e: { code?: string; message: string }) => e.code === '42501' && /permission denied for database/.test(e.message));
    await assert.rejects(query(withDatabase(a.DATABASE_URL!, dbOf(p.databaseUrl)), 'select 1'), (e: { code?: string }) => e.code === '42501', 'nor the platform database');
    const ra = new Redis(a.REDIS_URL!, { maxRetriesPerRequest: 1 });
    const rb = new Redis(b.REDIS_URL!, { maxRetriesPerRequest: 1 });
    try {
      const bKey = `${new URL(b.REDIS_URL!).username}:secret`;
      await rb.set(bKey, 'b only');
      await assert.rejects(ra.get(bKey), /NOPERM/);
      assert.equal(await rb.get(bKey), 'b only');
    } finally {
      ra.disconnect();
      rb.disconnect();
    }
  });

  test('sharing by attachment, and bad input: unknown service or plan (422), destroying a shared add-on (409)', async () => {
    const [own] = (await p.api('GET', '/apps/queue-app/addons')).body.filter((a: { addon_service: { name: string } }) => a.addon_service.name === 'heroku-postgresql');
    const attached = await p.api('POST', '/addon-attachments', { addon: { name: own.name }, app: { name: 'other-app' }, name: 'QUEUE_DB' });
    assert.equal(attached.status, 201, JSON.stringify(attached.body));
    assert.equal(attached.body.name, 'QUEUE_DB');
    assert.equal((await config('other-app')).QUEUE_DB_URL, (await config('queue-app')).DATABASE_URL);
    const listed = (await p.api('GET', '/apps/other-app/addon-attachments')).body.map((t: { name: string }) => t.name);
    assert.ok(listed.includes('QUEUE_DB'), listed.join());

    const shared = await p.api('DELETE', `/apps/queue-app/addons/${own.id}`);
    assert.equal(shared.status, 409);
    assert.match(shared.body.message, /also attached to other-app/);
    const unknown = await p.api('POST', '/apps/queue-app/addons', { plan: 'heroku-mongodb' });
    assert.equal(unknown.status, 422);
    assert.match(unknown.body.message, /Available services: heroku-postgresql, heroku-redis/);
    const plan = await p.api('POST', '/apps/queue-app/addons', { plan: 'heroku-redis:gigantic' });
    assert.equal(plan.status, 422);
    assert.match(plan.body.message, /heroku-redis has no plan "gigantic"\. Its plans: mini, premium-0/);

    const detached = await p.api('DELETE', `/addon-attachments/${attached.body.id}`);
    assert.equal(detached.status, 200);
    assert.equal((await config('other-app')).QUEUE_DB_URL, undefined);
    assert.match((await p.api('GET', '/apps/other-app/releases')).body.at(-1).description, /^Detach QUEUE_DB \(@ref:postgresql-/);
  });

  test("destroying an app deprovisions its add-ons: its database, role and Redis user are gone", async () => {
    const b = await config('other-app');
    assert.equal((await p.api('DELETE', '/apps/other-app')).status, 200);
    const name = dbOf(b.DATABASE_URL!);
    assert.equal((await query(ADMIN_PG, 'select 1 from pg_database where datname = $1', [name])).rowCount, 0);
    assert.equal((await query(ADMIN_PG, 'select 1 from pg_roles where rolname = $1', [name])).rowCount, 0);
    const admin = new Redis('redis://127.0.0.1:6379');
    try {
      assert.equal(await admin.call('ACL', 'GETUSER', new URL(b.REDIS_URL!).username), null);
    } finally {
      admin.disconnect();
    }
  });

  test('a Django app (manage.py) gets a database on its first deploy, attached before the deploy release', async () => {
    assert.equal((await p.api('POST', '/apps', { name: 'django-app' })).status, 201);
    const dir = await repoWith({ ...djangoShapedApp, 'app.json': JSON.stringify({ name: 'django-app', addons: ['heroku-redis:mini'] }) });
    dirs.push(dir);
    const push = await git(dir, 'push', pushUrl(p.apiUrl, p.apiKey, 'django-app'), 'main');
    assert.equal(push.code, 0, push.output);
    const addons = (await p.api('GET', '/apps/django-app/addons')).body as { addon_service: { name: string }; state: string }[];
    assert.deepEqual(addons.map((a) => [a.addon_service.name, a.state]).sort(), [['heroku-postgresql', 'provisioned'], ['heroku-redis', 'provisioned']]);
    const releases = (await p.api('GET', '/apps/django-app/releases')).body.map((r: { description: string }) => r.description.replace(/@ref:[a-z0-9-]+/, '@ref'));
    assert.deepEqual(releases.slice(0, 3), ['Initial release', 'Attach REDIS (@ref)', 'Attach DATABASE (@ref)']);
    assert.match(releases[3], /^Deploy /);
    assert.equal((await waitFor('the app to answer', async () => {
      const r = await p.viaRouter('django-app');
      return r.status === 200 ? r : undefined;
    }, { timeoutMs: 60_000 })).body, 'database: yes');
  });

  test('the real heroku CLI: addons:create, addons, addons:attach, addons:destroy', async (t) => {
    const h = await HerokuCli.create(p.apiUrl, p.apiKey);
    t.after(() => rm(h.home, { recursive: true, force: true }));
    assert.equal((await p.api('POST', '/apps', { name: 'cli-addons' })).status, 201);
    const created = ok(await h.run(['addons:create', 'heroku-postgresql:essential-0', '-a', 'cli-addons']), /Creating heroku-postgresql:essential-0 on .*cli-addons/, /Created postgresql-[a-z]+-\d+ as DATABASE_URL/);
    const name = /Created (postgresql-[a-z]+-\d+)/.exec(created)![1]!;
    ok(await h.run(['addons', '-a', 'cli-addons']), new RegExp(name), /heroku-postgresql/);
    ok(await h.run(['addons:info', name]), new RegExp(`=== ${name}`), /State:\s+created/, /DATABASE/);
    ok(await h.run(['addons:services']), /heroku-postgresql/, /heroku-redis/);
    ok(await h.run(['addons:plans', 'heroku-postgresql']), /essential-0/, /standard-0/);
    ok(await h.run(['addons:attach', name, '-a', 'django-app', '--as', 'SHARED_DB']), /Attaching .*as .*SHARED_DB.* to .*django-app/);
    const refused = await h.run(['addons:destroy', name, '-a', 'cli-addons', '--confirm', 'cli-addons']);
    assert.notEqual(refused.code, 0);
    assert.match(refused.out, /also attached to django-app/);
    ok(await h.run(['addons:detach', 'SHARED_DB', '-a', 'django-app']), /Detaching/);
    ok(await h.run(['addons:destroy', name, '-a', 'cli-addons', '--confirm', 'cli-addons']), /Destroying .*on .*cli-addons/);
    assert.deepEqual((await p.api('GET', '/apps/cli-addons/addons')).body, []);
  });
});

/** Asserts a zero exit and returns the output. */
function ok(r: CliResult, ...expected: RegExp[]): string {
  assert.equal(r.code, 0, r.out);
  for (const e of expected) assert.match(r.out, e);
  return r.out;
}

/** Replaces the repository's files with new contents and commits them. */
async function repoWithNewCommit(dir: string, files: Record<string, string>): Promise<void> {
  const { writeFile } = await import('node:fs/promises');
  const { join } = await import('node:path');
  for (const [name, content] of Object.entries(files)) await writeFile(join(dir, name), content);
  const add = await git(dir, 'add', '-A');
  assert.equal(add.code, 0, add.output);
  const commit = await git(dir, 'commit', '-q', '-m', 'second');
  assert.equal(commit.code, 0, commit.output);
}
