import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { userInfo } from 'node:os';
import { Redis } from 'ioredis';
import pg from 'pg';
import {
  CreateAddon, CreateAddonAttachment, CreateApp, DeleteAddonAttachment, DestroyAddon, DestroyApp, GetAddon, GetConfigVars, ListAddons, ListAddonServices,
  ListReleases, RollbackRelease, SetConfigVars, SlugBuilt, type AppInfo, type PaasError,
} from '@paas/contracts';
import { herokuPostgresql, postgresNameOf } from '../src/adapters/addon-providers/heroku-postgresql.js';
import { AddonProvisioner } from '../src/addon-provisioner.js';
import { CommandHandler } from '../src/command-handler.js';
import { aSlug, Harness } from './harness.js';

const by = 'admin@paas.local';
const typed = (id: string, message?: RegExp) => (e: PaasError) => e.id === id && (!message || message.test(e.message));
const ADMIN_PG = `postgres://${process.env.PGUSER || userInfo().username}@127.0.0.1:5432/postgres`;

/** Runs a query as the platform's admin on the add-on server. */
async function adminQuery(sql: string, params: unknown[] = []): Promise<pg.QueryResult> {
  const c = new pg.Client({ connectionString: ADMIN_PG });
  await c.connect();
  try {
    return await c.query(sql, params);
  } finally {
    await c.end();
  }
}

/** Connects with an add-on's URL, optionally to another database, and runs one query. */
async function asAddon(url: string, sql: string, database?: string): Promise<pg.QueryResult> {
  const u = new URL(url);
  if (database) u.pathname = `/${database}`;
  const c = new pg.Client({ connectionString: u.toString() });
  c.on('error', () => undefined);
  await c.connect();
  try {
    return await c.query(sql);
  } finally {
    await c.end();
  }
}

const dbName = (url: string) => new URL(url).pathname.slice(1);

describe('release service: add-ons provisioned on the add-on servers and attached through releases', () => {
  const h = new Harness();
  let a: AppInfo;
  let b: AppInfo;

  before(async () => {
    await h.start();
    a = await h.rpc.request(CreateApp, { name: 'addon-a', by });
    b = await h.rpc.request(CreateApp, { name: 'addon-b', by });
  });
  after(() => h.stop());

  test('the catalogue lists heroku-postgresql and heroku-redis with plans and their limits', async () => {
    const services = await h.rpc.request(ListAddonServices, {});
    assert.deepEqual(services.map((s) => s.name), ['heroku-postgresql', 'heroku-redis']);
    const essential0 = services[0]!.plans.find((p) => p.name === 'heroku-postgresql:essential-0')!;
    assert.equal(essential0.default, true);
    assert.equal(essential0.limits.connections, 20);
  });

  test('an unknown service or plan is invalid, names what exists, and records nothing', async () => {
    await assert.rejects(h.rpc.request(CreateAddon, { app: a.name, plan: 'heroku-mongo', by }),
      typed('invalid_params', /Available services: heroku-postgresql, heroku-redis/));
    await assert.rejects(h.rpc.request(CreateAddon, { app: a.name, plan: 'heroku-postgresql:huge-9', by }),
      typed('invalid_params', /heroku-postgresql has no plan "huge-9"\. Its plans: essential-0, essential-1/));
    assert.equal((await h.db.selectFrom('events').select('type').where('type', 'like', 'Addon%').execute()).length, 0);
  });

  test('heroku-postgresql: a database and role of its own, DATABASE_URL and a color alias set by release "Attach DATABASE (@ref:...)"', async () => {
    const addon = await h.rpc.request(CreateAddon, { app: a.name, plan: 'heroku-postgresql:essential-0', by });
    assert.equal(addon.state, 'provisioned');
    assert.match(addon.name, /^postgresql-[a-z]+-\d{5}$/);
    const config = await h.rpc.request(GetConfigVars, { app: a.name });
    const url = config.DATABASE_URL!;
    assert.equal(addon.configVars.length, 2);
    assert.match(addon.configVars[1]!, /^HEROKU_POSTGRESQL_[A-Z]+_URL$/);
    assert.equal(config[addon.configVars[1]!], url);
    assert.notEqual(dbName(url), dbName(h.databaseUrl), 'never the platform database');
    const releases = await h.rpc.request(ListReleases, { app: a.name });
    assert.equal(releases.at(-1)!.description, `Attach DATABASE (@ref:${addon.name})`);
    assert.equal(releases.at(-1)!.config.DATABASE_URL, url);
    await asAddon(url, 'create table notes (body text); insert into notes values (\'kept\')');
    assert.deepEqual((await asAddon(url, 'select body from notes')).rows, [{ body: 'kept' }]);
    const events = (await h.tap.waitFor(a.id, 5)).map((e) => e.type).filter((t) => t.startsWith('Addon') || t === 'ConfigVarsChanged');
    assert.deepEqual(events, ['AddonCreated', 'AddonProvisioned', 'AddonAttached', 'ConfigVarsChanged']);
  });

  test("isolation: one app's role cannot connect to another app's database", async () => {
    await h.rpc.request(CreateAddon, { app: b.name, plan: 'heroku-postgresql', by });
    const urlA = (await h.rpc.request(GetConfigVars, { app: a.name })).DATABASE_URL!;
    const urlB = (await h.rpc.request(GetConfigVars, { app: b.name })).DATABASE_URL!;
    await assert.rejects(asAddon(urlA, 'select 1', dbName(urlB)), (e: { code?: string }) => e.code === '42501');
    await assert.rejects(asAddon(urlA, 'select 1', dbName(h.databaseUrl)), (e: { code?: string }) => e.code === '42501');
  });

  test('provisioning is idempotent by add-on id: a retry after a cut-short try makes no second database, and the recorded URL works', async () => {
    const commands = h.app.get(CommandHandler);
    const provisioner = h.app.get(AddonProvisioner);
    const addonId = randomUUID();
    const name = 'postgresql-retried-10001';
    await commands.execute(a.id, { type: 'CreateAddon', addonId, name, service: 'heroku-postgresql', plan: 'essential-0', by });
    // A first try made the database and role, then the process stopped before recording anything.
    await herokuPostgresql.create(h.settings.addons).provision({ id: addonId, name, plan: herokuPostgresql.spec.plans[0]! }, 'ab'.repeat(24));
    await provisioner.provision(a.id, addonId, 'RETRIED', by);
    await provisioner.provision(a.id, addonId, 'RETRIED', by);
    const url = (await h.rpc.request(GetConfigVars, { app: a.name })).RETRIED_URL!;
    assert.equal((await asAddon(url, 'select current_database() as db')).rows[0].db, postgresNameOf(addonId));
    assert.equal((await adminQuery('select 1 from pg_database where datname = $1', [postgresNameOf(addonId)])).rowCount, 1);
    const provisioned = await h.db.selectFrom('events').select('data').where('type', '=', 'AddonProvisioned').execute();
    assert.equal(provisioned.filter((e) => (e.data as { addonId: string }).addonId === addonId).length, 1);
    await h.rpc.request(DestroyAddon, { app: a.name, addon: name, by });
  });

  test('heroku-redis: a user limited to its own key prefix; REDIS_URL attached; another add-on cannot read its keys', async () => {
    const one = await h.rpc.request(CreateAddon, { app: a.name, plan: 'heroku-redis', by });
    const two = await h.rpc.request(CreateAddon, { app: b.name, plan: 'heroku-redis:mini', by });
    const r1 = new Redis((await h.rpc.request(GetConfigVars, { app: a.name })).REDIS_URL!, { maxRetriesPerRequest: 1 });
    const r2 = new Redis((await h.rpc.request(GetConfigVars, { app: b.name })).REDIS_URL!, { maxRetriesPerRequest: 1 });
    try {
      await r1.set(`${one.name}:secret`, 'mine');
      assert.equal(await r1.get(`${one.name}:secret`), 'mine');
      await assert.rejects(r2.get(`${one.name}:secret`), /NOPERM/);
      await assert.rejects(r1.set('unprefixed', 'x'), /NOPERM/);
      await assert.rejects(r1.flushall(), /NOPERM/);
      await r2.rpush(`${two.name}:jobs`, 'j1');
      assert.equal(await r2.lpop(`${two.name}:jobs`), 'j1');
    } finally {
      r1.disconnect();
      r2.disconnect();
    }
  });

  test('sharing: attached to a second app it sets that app\'s config; destroying it while shared is a conflict naming the app', async () => {
    const shared = (await h.rpc.request(ListAddons, { app: a.name })).find((x) => x.service.name === 'heroku-postgresql')!;
    const attachment = await h.rpc.request(CreateAddonAttachment, { app: b.name, addon: shared.name, by });
    assert.match(attachment.name, /^HEROKU_POSTGRESQL_[A-Z]+$/, 'DATABASE is taken on b: a color name');
    const bConfig = await h.rpc.request(GetConfigVars, { app: b.name });
    assert.equal(bConfig[`${attachment.name}_URL`], (await h.rpc.request(GetConfigVars, { app: a.name })).DATABASE_URL);
    assert.equal((await h.rpc.request(ListReleases, { app: b.name })).at(-1)!.description, `Attach ${attachment.name} (@ref:${shared.name})`);
    await assert.rejects(h.rpc.request(DestroyAddon, { app: a.name, addon: shared.name, by }), typed('conflict', /also attached to addon-b/));
    await h.rpc.request(DeleteAddonAttachment, { attachment: attachment.id, by });
    assert.equal((await h.rpc.request(GetConfigVars, { app: b.name }))[`${attachment.name}_URL`], undefined);
    assert.equal((await h.rpc.request(ListReleases, { app: b.name })).at(-1)!.description, `Detach ${attachment.name} (@ref:${shared.name})`);
  });

  test('a rollback keeps the add-ons attached now and their data', async () => {
    await h.slugBuilt(a.id, a.name, aSlug({ web: 'node server.js' }));
    await h.slugBuiltHandled();
    const deploy = (await h.rpc.request(ListReleases, { app: a.name })).at(-1)!;
    assert.match(deploy.description, /^Deploy/);
    const url = (await h.rpc.request(GetConfigVars, { app: a.name })).DATABASE_URL!;
    await h.rpc.request(SetConfigVars, { app: a.name, changes: { GREETING: 'hi' }, by });
    await asAddon(url, 'insert into notes values (\'after\')');
    const rolled = await h.rpc.request(RollbackRelease, { app: a.name, release: String(deploy.version), by });
    assert.equal(rolled.description, `Rollback to v${deploy.version}`);
    assert.equal(rolled.config.DATABASE_URL, url);
    assert.equal(rolled.config.GREETING, undefined);
    assert.deepEqual((await asAddon(url, 'select body from notes order by body')).rows.map((r) => r.body), ['after', 'kept']);
  });

  test('destroying an add-on detaches it (a release without its vars), drops its database and role, and keeps the record deprovisioned', async () => {
    const addon = (await h.rpc.request(ListAddons, { app: b.name })).find((x) => x.service.name === 'heroku-postgresql' && x.app.id === b.id)!;
    const url = (await h.rpc.request(GetConfigVars, { app: b.name })).DATABASE_URL!;
    const gone = await h.rpc.request(DestroyAddon, { app: b.name, addon: addon.id, by });
    assert.equal(gone.state, 'deprovisioned');
    assert.equal((await h.rpc.request(GetConfigVars, { app: b.name })).DATABASE_URL, undefined);
    assert.equal((await h.rpc.request(ListReleases, { app: b.name })).at(-1)!.description, `Detach DATABASE (@ref:${addon.name})`);
    assert.equal((await adminQuery('select 1 from pg_database where datname = $1', [dbName(url)])).rowCount, 0);
    assert.equal((await adminQuery('select 1 from pg_roles where rolname = $1', [dbName(url)])).rowCount, 0);
    assert.equal((await h.rpc.request(GetAddon, { addon: addon.id })).state, 'deprovisioned');
  });

  test('a first deploy provisions what the build asks for, once, even when SlugBuilt comes twice', async () => {
    const c = await h.rpc.request(CreateApp, { name: 'addon-django', by });
    const buildId = randomUUID();
    const slug = aSlug({ web: 'python manage.py runserver' });
    for (let i = 0; i < 2; i++) {
      await h.publisher.publish(SlugBuilt, { appName: c.name, buildId, slug, addons: ['heroku-postgresql', 'heroku-redis:mini'] }, { appId: c.id, correlationId: buildId });
    }
    await h.slugBuiltHandled();
    const addons = await h.rpc.request(ListAddons, { app: c.name });
    assert.deepEqual(addons.map((x) => x.service.name).sort(), ['heroku-postgresql', 'heroku-redis']);
    const releases = await h.rpc.request(ListReleases, { app: c.name });
    assert.deepEqual(releases.map((r) => r.description.replace(/@ref:[a-z0-9-]+/, '@ref')), ['Initial release', 'Attach DATABASE (@ref)', 'Attach REDIS (@ref)', 'Deploy abc1234']);
    assert.ok(releases.at(-1)!.config.DATABASE_URL && releases.at(-1)!.config.REDIS_URL, 'the deploy runs with both');
  });

  test('destroying an app deprovisions its add-ons: databases, roles and Redis users gone', async () => {
    const config = await h.rpc.request(GetConfigVars, { app: 'addon-django' });
    await h.rpc.request(DestroyApp, { app: 'addon-django', by });
    const name = dbName(config.DATABASE_URL!);
    assert.equal((await adminQuery('select 1 from pg_database where datname = $1', [name])).rowCount, 0);
    assert.equal((await adminQuery('select 1 from pg_roles where rolname = $1', [name])).rowCount, 0);
    const admin = new Redis('redis://127.0.0.1:6379');
    try {
      assert.deepEqual(await admin.call('ACL', 'GETUSER', new URL(config.REDIS_URL!).username), null);
    } finally {
      admin.disconnect();
    }
  });
});

describe('release service: add-on server down', () => {
  const h = new Harness();
  let saved: string | undefined;

  before(async () => {
    saved = process.env.PAAS_ADDON_POSTGRES_URL;
    process.env.PAAS_ADDON_POSTGRES_URL = 'postgres://127.0.0.1:9/postgres'; // nothing listens on the discard port
    await h.start();
    await h.rpc.request(CreateApp, { name: 'addon-down', by });
  });
  after(async () => {
    if (saved === undefined) delete process.env.PAAS_ADDON_POSTGRES_URL;
    else process.env.PAAS_ADDON_POSTGRES_URL = saved;
    await h.stop();
  });

  test('provisioning is unavailable with a clear message; the add-on is recorded deprovisioned with the reason and no config changes', async () => {
    await assert.rejects(h.rpc.request(CreateAddon, { app: 'addon-down', plan: 'heroku-postgresql', by }),
      typed('unavailable', /heroku-postgresql add-on server at 127\.0\.0\.1:9 is not reachable .*nothing was provisioned/));
    assert.deepEqual(await h.rpc.request(GetConfigVars, { app: 'addon-down' }), {});
    assert.deepEqual(await h.rpc.request(ListAddons, { app: 'addon-down' }), []);
    const [row] = await h.db.selectFrom('addons').selectAll().execute();
    assert.equal(row!.state, 'deprovisioned');
    assert.match(row!.reason!, /not reachable/);
    assert.equal((await h.rpc.request(ListReleases, { app: 'addon-down' })).length, 1);
  });
});
