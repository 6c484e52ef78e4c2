import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { userInfo } from 'node:os';
import pg from 'pg';
import { waitFor } from '@paas/testing';
import { PaasCli } from './paas-cli.js';
import { Platform } from './platform.js';
import { seededApp, setupOutcome, TemplateServer } from './setup-templates.js';

/** A dependency-free Node app whose app.json runs `postdeploy` (it builds fast). */
const plainApp = (postdeploy: string, o: { packageJson?: string; addons?: string[] } = {}) => ({
  'app.json': JSON.stringify({ name: 'Plain', env: { MODE: { value: 'x' } }, addons: o.addons ?? [], scripts: { postdeploy } }),
  'package.json': o.packageJson ?? JSON.stringify({ name: 'plain', version: '1.0.0', scripts: { start: 'node web.js' } }),
  'web.js': "require('http').createServer((q, s) => s.end('plain')).listen(process.env.PORT);\n",
});

/** Runs one query on a database of the local server. */
async function query(url: string, text: string, params: unknown[] = []): Promise<pg.QueryResult> {
  const u = new URL(url);
  if (!u.username) u.username = process.env.PGUSER || userInfo().username;
  const c = new pg.Client({ connectionString: u.toString() });
  await c.connect();
  try {
    return await c.query(text, params);
  } finally {
    await c.end();
  }
}

describe('app setups: an app made from a tarball and its app.json (add-ons, env, build, postdeploy)', () => {
  let p: Platform;
  let templates: TemplateServer;
  let seededSetupId = '';

  before(async () => {
    templates = await TemplateServer.start();
    // Setups left by a stopped api are failed after 3 s without progress (the running api marks them alive every second).
    p = await Platform.start({ PAAS_APP_SETUP_STALE_MS: '3000', PAAS_SOURCE_ALLOWED_HOSTS: '127.0.0.1/32' });
  });

  after(async () => {
    await p?.stop(); // drops the add-on databases the platform's log recorded
    await templates?.close();
  });

  const appNames = async () => ((await p.api('GET', '/apps')).body as { name: string }[]).map((a) => a.name).sort();

  test('a setup provisions Postgres, sets the override and a generated secret, builds, scales from app.json and runs postdeploy once', async () => {
    const url = await templates.add('seeded', seededApp());
    const created = await p.api('POST', '/app-setups', { app: { name: 'seeded-notes' }, source_blob: { url }, overrides: { env: { GREETING: 'hello from the override' } } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.status, 'pending');
    assert.equal(created.body.app.name, 'seeded-notes');
    assert.deepEqual(Object.keys(created.body).sort(), ['app', 'build', 'created_at', 'failure_message', 'id', 'manifest_errors', 'postdeploy', 'resolved_success_url', 'status', 'updated_at']);

    seededSetupId = created.body.id;
    const done = await setupOutcome(p, created.body.id);
    assert.equal(done.status, 'succeeded', `${done.failure_message}\n${p.logs.slice(-40).join('\n')}`);
    assert.equal(done.failure_message, null);
    assert.equal(done.build.status, 'succeeded');
    assert.match(done.build.output_stream_url, new RegExp(`/build-output/${done.app.id}/${done.build.id}$`));
    assert.match(await (await fetch(done.build.output_stream_url)).text(), /Node\.js app detected/);
    assert.deepEqual(done.postdeploy, { output: 'seeded the notes table with: hello from the override', exit_code: 0 });
    assert.equal(done.resolved_success_url, `http://seeded-notes.localhost:${p.routerPort}/`);

    const config = (await p.api('GET', '/apps/seeded-notes/config-vars')).body as Record<string, string>;
    assert.equal(config.GREETING, 'hello from the override');
    assert.equal(config.MODE, 'demo', 'the value default of app.json');
    assert.match(config.SECRET_KEY!, /^[0-9a-f]{64}$/, 'generator: secret makes 64 hex digits');
    assert.match(config.DATABASE_URL!, /^postgres:\/\//);
    const addons = (await p.api('GET', '/apps/seeded-notes/addons')).body as { addon_service: { name: string }; state: string }[];
    assert.deepEqual(addons.map((a) => [a.addon_service.name, a.state]), [['heroku-postgresql', 'provisioned']], 'one database: the first deploy does not make another');
    const formation = (await p.api('GET', '/apps/seeded-notes/formation')).body as { type: string; quantity: number; size: string }[];
    assert.deepEqual(formation.map((f) => [f.type, f.quantity, f.size]), [['web', 1, 'basic']], "app.json's formation applied");

    const answer = await waitFor('the app to serve the postdeploy row through the router', async () => {
      const r = await p.viaRouter('seeded-notes');
      return r.status === 200 ? JSON.parse(r.body) as { notes: string[]; mode: string; secretIs64Hex: boolean } : undefined;
    }, { timeoutMs: 60_000 });
    assert.deepEqual(answer, { notes: ['hello from the override'], mode: 'demo', secretIs64Hex: true });
    const runs = (await p.api('GET', '/apps/seeded-notes/dynos')).body as { type: string }[];
    assert.deepEqual(runs.map((d) => d.type), ['web'], 'the postdeploy one-off is over');
  });

  test('a required env var without a value or override is a 422 naming it, and no app is made', async () => {
    const url = await templates.add('needs-greeting', seededApp());
    const before = await appNames();
    const r = await p.api('POST', '/app-setups', { app: { name: 'never-made' }, source_blob: { url }, overrides: { env: { MODE: 'x' } } });
    assert.equal(r.status, 422, JSON.stringify(r.body));
    assert.equal(r.body.id, 'invalid_params');
    assert.match(r.body.message, /app\.json requires GREETING: give it in overrides\.env/);
    assert.deepEqual(await appNames(), before);
  });

  test('a source without a readable app.json is refused before anything is made', async () => {
    const url = await templates.add('bad-manifest', { 'app.json': JSON.stringify({ env: { A: { generator: 'uuid' } } }), 'web.js': '' });
    const r = await p.api('POST', '/app-setups', { source_blob: { url } });
    assert.equal(r.status, 422);
    assert.match(r.body.message, /^app\.json: env\.A/);
    const missing = await p.api('POST', '/app-setups', { source_blob: { url: `${templates.url}/nothing-here.tar.gz` } });
    assert.equal(missing.status, 422);
    assert.match(missing.body.message, /answered HTTP 404/);
  });

  test('a failing postdeploy fails the setup naming the step, keeps its output, and the app is gone with its database', async () => {
    const url = await templates.add('bad-postdeploy', plainApp('node -e "console.log(\'about to fail\'); process.exit(3)"', { addons: ['heroku-postgresql'] }));
    const created = await p.api('POST', '/app-setups', { app: { name: 'bad-postdeploy' }, source_blob: { url } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const done = await setupOutcome(p, created.body.id);
    assert.equal(done.status, 'failed');
    assert.match(done.failure_message, /^running postdeploy failed: the postdeploy script exited with status 3/);
    assert.deepEqual(done.postdeploy, { output: 'about to fail', exit_code: 3 });
    assert.equal((await p.api('GET', '/apps/bad-postdeploy')).status, 404, 'the app was destroyed');
    await waitFor('its dynos to be gone from the router', async () => (await p.viaRouter('bad-postdeploy')).status === 404, { timeoutMs: 30_000 });
    const made = await query(p.databaseUrl, `select data->>'addonId' as id from events where type = 'AddonCreated' and data->>'appName' = 'bad-postdeploy'`);
    assert.equal(made.rows.length, 1, 'the add-on app.json asks for was made');
    const db = `addon_${(made.rows[0].id as string).replace(/-/g, '')}`;
    assert.equal((await query(p.databaseUrl.replace(/\/[^/]*$/, '/postgres'), 'select 1 from pg_database where datname = $1', [db])).rowCount, 0, 'and its database dropped');
  });

  test('a failing build fails the setup at the build step and the app is gone', async () => {
    const url = await templates.add('bad-build', plainApp('true', { packageJson: '{ "name": "broken",' }));
    const created = await p.api('POST', '/app-setups', { app: { name: 'bad-build' }, source_blob: { url } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const done = await setupOutcome(p, created.body.id);
    assert.equal(done.status, 'failed');
    assert.match(done.failure_message, /^building failed: the build failed/);
    assert.equal(done.build.status, 'failed');
    assert.equal(done.postdeploy, null);
    assert.equal((await p.api('GET', '/apps/bad-build')).status, 404);
  });

  test("another user's setup is not found; the record outlives its app", async () => {
    const created = await p.api('POST', '/accounts', { email: 'other@example.com', password: 'a long enough password' });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const login = await fetch(`${p.apiUrl}/oauth/authorizations`, {
      method: 'POST', headers: { authorization: `Basic ${Buffer.from('other@example.com:a long enough password').toString('base64')}`, 'content-type': 'application/json' }, body: '{}',
    });
    const token = ((await login.json()) as { access_token: { token: string } }).access_token.token;
    const url = await templates.add('plain', plainApp('true'));
    const mine = await p.api('POST', '/app-setups', { source_blob: { url } });
    assert.equal(mine.status, 201);
    assert.equal((await p.api('GET', `/app-setups/${mine.body.id}`, undefined, token)).status, 404);
    const done = await setupOutcome(p, mine.body.id);
    assert.equal(done.status, 'succeeded', done.failure_message);
    assert.match(done.app.name, /^[a-z][a-z0-9-]+$/, 'a generated name');
  });

  test('paas apps:setup runs a setup from the command line: the build output, the postdeploy output, the app', async () => {
    const cli = await PaasCli.create({ PAAS_API_URL: p.apiUrl, PAAS_API_KEY: p.apiKey });
    const url = await templates.add('cli', plainApp('echo "postdeploy saw MODE=$MODE and EXTRA=$EXTRA"'));
    const ok = await cli.run(['apps:setup', url, '--name', 'cli-setup', '--env', 'EXTRA=given'], { timeoutMs: 180_000 });
    assert.equal(ok.code, 0, ok.out);
    assert.match(ok.stderr, /Node\.js app detected/);
    assert.match(ok.stderr, /Postdeploy \(exit status 0\):\npostdeploy saw MODE=x and EXTRA=given/);
    assert.equal(ok.stdout.trim(), `⬢ cli-setup is set up: http://cli-setup.localhost:${p.routerPort}/`);
    const failed = await cli.run(['apps:setup', url, '--name', 'cli-setup-2', '--env', 'broken'], { timeoutMs: 30_000 });
    assert.equal(failed.code, 2, failed.out);
    const bad = await templates.add('cli-bad', plainApp('exit 4'));
    const refused = await cli.run(['apps:setup', bad, '--name', 'cli-bad'], { timeoutMs: 180_000 });
    assert.equal(refused.code, 1, refused.out);
    assert.match(refused.stderr, /the setup failed: running postdeploy failed: the postdeploy script exited with status 4/);
  });

  test('a setup whose api stops mid-way is failed by the next api, and its app destroyed', async () => {
    const url = await templates.add('slow-postdeploy', plainApp('sleep 120'));
    const created = await p.api('POST', '/app-setups', { app: { name: 'interrupted' }, source_blob: { url } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    await waitFor('the postdeploy one-off to run', async () => {
      const dynos = await p.api('GET', '/apps/interrupted/dynos');
      return dynos.status === 200 && (dynos.body as { type: string }[]).some((d) => d.type === 'run');
    }, { timeoutMs: 120_000, intervalMs: 250 });
    await p.restart('api');
    const done = await setupOutcome(p, created.body.id, 60_000);
    assert.equal(done.status, 'failed');
    assert.match(done.failure_message, /^interrupted: the api running this setup stopped \(no progress for 3 s\); the app interrupted was destroyed/);
    assert.equal((await p.api('GET', '/apps/interrupted')).status, 404);
    const earlier = await p.api('GET', `/app-setups/${seededSetupId}`);
    assert.equal(earlier.body.status, 'succeeded', 'setups are kept by the release service, not by the api that ran them');
  });
});
