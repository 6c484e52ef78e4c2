import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { waitFor } from '@paas/testing';
import { repoWith } from './git.js';
import { PaasCli, REPO_ROOT, type PaasResult } from './paas-cli.js';
import { freePort, Platform } from './platform.js';

const APP = 'paas-cli-app';

/** A Node app that answers with GREETING and writes one line per request to its log. */
const loggingApp = {
  'package.json': JSON.stringify({ name: 'logging-app', version: '1.0.0', scripts: { start: 'node server.js' } }),
  'server.js': [
    "require('http').createServer((q, s) => {",
    "  console.log('handled ' + q.url);",
    "  s.end('says ' + (process.env.GREETING || 'hello') + ' from ' + process.env.DYNO);",
    '}).listen(process.env.PORT);',
    '',
  ].join('\n'),
};

/** Asserts a zero exit and returns the output (stdout and stderr). */
function ok(r: PaasResult, ...expected: RegExp[]): string {
  assert.equal(r.code, 0, r.out);
  for (const e of expected) assert.match(r.out, e);
  return r.out;
}

/** Asserts a failure with `code` and one error line (` ▸    ...`, the last on stderr) matching `expected`. */
function fails(r: PaasResult, code: number, expected: RegExp): void {
  assert.equal(r.code, code, r.out);
  const errors = r.stderr.split('\n').filter((l) => l.startsWith(' ▸ '));
  assert.equal(errors.length, 1, `one line of error, got: ${r.stderr}`);
  assert.equal(r.stderr.trimEnd().split('\n').at(-1), errors[0], r.stderr);
  assert.match(errors[0], expected);
}

describe('the paas CLI: bad input, without a platform', () => {
  let cli: PaasCli;
  before(async () => {
    cli = await PaasCli.create({ PAAS_API_URL: `http://127.0.0.1:${await freePort()}`, PAAS_API_KEY: 'unused' });
  });
  after(async () => {
    if (cli) await rm(cli.home, { recursive: true, force: true });
  });

  test('an unknown command suggests the nearest (exit 2)', async () => {
    fails(await cli.run(['confg:set', 'A=1']), 2, /unknown command 'confg:set' \(Did you mean config:set\?\)/);
    fails(await cli.run(['ps', '--bogus']), 2, /unknown option '--bogus'/);
  });

  test('no app outside a git repository says how to pass -a (exit 2)', async () => {
    fails(await cli.run(['releases']), 2, /no app given .*pass -a APP/);
  });

  test('an unreachable API names the URL tried (exit 1)', async () => {
    const r = await cli.run(['apps']);
    fails(r, 1, new RegExp(`cannot reach the Platform API at ${cli.env.PAAS_API_URL!.replace(/\./g, '\\.')} \\(ECONNREFUSED\\)`));
  });

  test('runs from the repository root as `npx paas`', async () => {
    const r = await cli.exec('npx', ['--no-install', 'paas', '--version'], { cwd: REPO_ROOT });
    assert.equal(r.code, 0, r.out);
    assert.match(r.stdout, /^\d+\.\d+\.\d+\n$/);
  });
});

describe('the paas CLI against a running platform', () => {
  let p: Platform;
  let cli: PaasCli;
  let dir: string;
  const dirs: string[] = [];

  before(async () => {
    p = await Platform.start();
    cli = await PaasCli.create({ PAAS_API_URL: p.apiUrl, PAAS_API_KEY: p.apiKey, PAAS_DATA_DIR: p.dataDir });
    dir = await repoWith(loggingApp);
    dirs.push(dir);
  });

  after(async () => {
    await p?.stop();
    await Promise.all([...dirs, cli?.home].filter(Boolean).map((d) => rm(d!, { recursive: true, force: true })));
  });

  test('login stores the token in ~/.netrc for the API host; auth:whoami uses it; logout revokes and removes it', async () => {
    assert.equal((await p.api('POST', '/accounts', { email: 'dev@example.com', password: 'dev-password' })).status, 201);
    const user = cli.with({ PAAS_API_KEY: undefined });
    fails(await user.run(['auth:whoami']), 1, /not logged in to .*run `paas login` or set PAAS_API_KEY/);
    fails(await user.run(['login', '-e', 'dev@example.com'], { input: 'wrong-password\n' }), 1, /wrong email or password for http:\/\/127\.0\.0\.1:\d+: run `paas login` again/);
    ok(await user.run(['login', '-e', 'dev@example.com'], { input: 'dev-password\n' }), /Logged in as dev@example\.com/);
    const netrc = await readFile(join(user.home, '.netrc'), 'utf8');
    const token = /machine 127\.0\.0\.1\s+login dev@example\.com\s+password (\S+)/.exec(netrc)?.[1];
    assert.ok(token, netrc);
    assert.equal((await user.run(['auth:whoami'])).stdout, 'dev@example.com\n');
    ok(await user.run(['logout']));
    assert.doesNotMatch(await readFile(join(user.home, '.netrc'), 'utf8'), /127\.0\.0\.1/);
    assert.equal((await p.api('GET', '/account', undefined, token)).status, 401, 'the token is revoked');
  });

  test('apps:create in a git repository adds the paas remote; git push deploys through it', async () => {
    ok(await cli.run(['apps:create', APP], { cwd: dir }), /Creating ⬢ paas-cli-app\.\.\. done/, /Git remote paas added/,
      new RegExp(`http://${APP}\\.localhost:\\d+/ \\| ${p.apiUrl.replace(/\./g, '\\.')}/${APP}\\.git`));
    assert.match((await cli.git(dir, ['remote', '-v'])).out, new RegExp(`paas\\s+${p.apiUrl.replace(/\./g, '\\.')}/${APP}\\.git`));
    // The remote's credential helper is this CLI: git push needs no password in the URL.
    const pushed = await cli.git(dir, ['push', 'paas', 'main']);
    assert.equal(pushed.code, 0, pushed.out);
    assert.match(pushed.out, /remote: -----> /);
    assert.match((await p.viaRouter(APP)).body, /^says hello from web\.1$/);
    const apps = JSON.parse(ok(await cli.run(['apps', '--json']))) as { name: string }[];
    assert.deepEqual(apps.map((a) => a.name), [APP]);
    ok(await cli.run(['apps:info'], { cwd: dir }), new RegExp(`=== ${APP}`), /Dynos:\s+web: 1/, /Owner:\s+admin@paas\.local/);
    ok(await cli.run(['builds', '-a', APP]), /Id\s+Status\s+Version\s+User\s+Created/, /succeeded/);
    assert.match((await cli.run(['builds:output', '-a', APP])).stdout, /Node\.js app detected/);
  });

  test('config:set in the repository (app from the remote) makes a release the app answers with', async () => {
    ok(await cli.run(['config:set', 'GREETING=from-cli', 'OTHER=x=y'], { cwd: dir }), /Setting GREETING and OTHER and restarting ⬢ paas-cli-app\.\.\. done/, /GREETING: from-cli/);
    assert.equal((await cli.run(['config:get', 'OTHER'], { cwd: dir })).stdout, 'x=y\n');
    ok(await cli.run(['config:unset', 'OTHER'], { cwd: dir }), /Unsetting OTHER/);
    assert.deepEqual(JSON.parse(ok(await cli.run(['config', '--json', '-a', APP]))), { GREETING: 'from-cli' });
    await waitFor('the new config in the running dyno', async () => (await p.viaRouter(APP)).body.startsWith('says from-cli'), { timeoutMs: 30_000, intervalMs: 300 });
    fails(await cli.run(['config:set', 'NOVALUE'], { cwd: dir }), 2, /NOVALUE has no value: write KEY=value/);
  });

  test('ps:scale adds a dyno; ps shows both up; ps:restart and ps:stop act on them', async () => {
    ok(await cli.run(['ps:scale', 'web=2', '-a', APP]), /Scaling dynos\.\.\. done, now running web at 2:/, /web=2:/);
    await waitFor('two web dynos up', async () => /web\.1: up[\s\S]*web\.2: up/.test((await cli.run(['ps', '-a', APP])).out), { timeoutMs: 30_000, intervalMs: 500 });
    ok(await cli.run(['ps', '-a', APP]), /=== web \(\S+\): npm start \(2\)/);
    const dynos = JSON.parse(ok(await cli.run(['ps', '--json', '-a', APP]))) as { name: string }[];
    assert.deepEqual(dynos.map((d) => d.name).sort(), ['web.1', 'web.2']);
    ok(await cli.run(['ps:restart', 'web.2', '-a', APP]), /Restarting dyno web\.2 on ⬢ paas-cli-app\.\.\. done/);
    await waitFor('web.2 up after its restart', async () => /web\.2: up/.test((await cli.run(['ps', '-a', APP])).out), { timeoutMs: 30_000, intervalMs: 500 });
    ok(await cli.run(['ps:stop', 'web.2', '-a', APP]), /Stopping dyno web\.2 on ⬢ paas-cli-app\.\.\. done/);
    // The formation still asks for two: the stopped dyno comes back.
    await waitFor('web.2 up again', async () => /web\.2: up/.test((await cli.run(['ps', '-a', APP])).out), { timeoutMs: 30_000, intervalMs: 500 });
    fails(await cli.run(['ps:scale', 'web', '-a', APP]), 2, /not a scale change/);
  });

  test('logs --tail shows the router line and the app line of a request made now', async () => {
    const path = `/from-the-test-${randomUUID().slice(0, 8)}`;
    const tail = cli.background(['logs', '--tail', '-a', APP]);
    try {
      // Requests until the tail has shown one: a request made before the stream opened is in its history too.
      await waitFor('router and app lines in the tail', async () => {
        await p.viaRouter(APP, path);
        const out = tail.output();
        return new RegExp(`heroku\\[router\\]: at=info method=GET path="${path}" host=${APP}\\.localhost.* status=200`).test(out)
          && new RegExp(`app\\[web\\.\\d\\]: handled ${path}`).test(out);
      }, { timeoutMs: 30_000, intervalMs: 500 });
      assert.match(tail.output(), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00 /m);
    } finally {
      await tail.stop();
    }
    const routerOnly = ok(await cli.run(['logs', '-n', '1500', '--source', 'heroku', '--dyno', 'router', '-a', APP]), new RegExp(`path="${path}"`));
    assert.doesNotMatch(routerOnly, /app\[web/);
    fails(await cli.run(['logs', '--source', 'nope', '-a', APP]), 2, /--source is app or heroku/);
  });

  test('run attaches stdin and output to a one-off dyno; --exit-code passes its status; --detached returns at once', async () => {
    const r = ok(await cli.run(['run', 'cat', '-a', APP], { input: 'abc\ndef\n' }));
    assert.match(r, /Running `cat` on ⬢ paas-cli-app\.\.\. (starting|up), run\.\d+/);
    assert.equal((await cli.run(['run', 'cat', '-a', APP], { input: 'abc\ndef\n' })).stdout, 'abc\ndef\n');
    assert.equal((await cli.run(['run', '-a', APP, '--', 'echo $GREETING from $DYNO'])).stdout.replace(/run\.\d+/, 'run.N'), 'from-cli from run.N\n');
    const failed = await cli.run(['run', '--exit-code', '-a', APP, '--', 'echo before; exit 3']);
    assert.equal(failed.code, 3, failed.out);
    assert.equal(failed.stdout, 'before\n');
    ok(await cli.run(['run', '--detached', '-a', APP, '--', 'echo detached-run']), /Run `paas logs -a paas-cli-app --dyno run\.\d+` to see the output/);
  });

  test('over HTTPS with the platform CA from PAAS_DATA_DIR; git:remote sets up another repository', async () => {
    const tls = cli.with({ PAAS_API_URL: p.apiTlsUrl });
    ok(await tls.run(['apps:info', '-a', APP]), new RegExp(`=== ${APP}`));
    fails(await tls.with({ PAAS_DATA_DIR: undefined }).run(['apps']), 1, /cannot reach the Platform API at https:\/\/127\.0\.0\.1:\d+ \(\w+\): trust the platform CA with NODE_EXTRA_CA_CERTS/);
    const other = await repoWith({ 'README': 'another checkout\n' });
    dirs.push(other);
    fails(await cli.run(['git:remote'], { cwd: other }), 2, /git:remote needs the app: pass -a APP/);
    ok(await cli.run(['git:remote', '-a', APP, '-r', 'production'], { cwd: other }), new RegExp(`set git remote production to ${p.apiUrl.replace(/\./g, '\\.')}/${APP}\\.git`));
    assert.equal((await cli.run(['config:get', 'GREETING', '-r', 'production'], { cwd: other })).stdout, 'from-cli\n');
    const fetched = await cli.git(other, ['fetch', 'production']);
    assert.equal(fetched.code, 0, fetched.out);
  });

  test('domains:add, domains, domains:remove', async () => {
    ok(await cli.run(['domains:add', 'www.example.com', '-a', APP]), new RegExp(`DNS Target ${APP}\\.localhost`));
    ok(await cli.run(['domains', '-a', APP]), new RegExp(`=== ${APP} Heroku Domain\\n\\n${APP}\\.localhost`), /www\.example\.com\s+CNAME\s+paas-cli-app\.localhost/);
    ok(await cli.run(['domains:remove', 'www.example.com', '-a', APP]));
    assert.doesNotMatch(ok(await cli.run(['domains', '-a', APP])), /www\.example\.com/);
  });

  test('maintenance:on and maintenance:off', async () => {
    ok(await cli.run(['maintenance:on', '-a', APP]), /Enabling maintenance mode for ⬢ paas-cli-app\.\.\. done/);
    assert.equal((await cli.run(['maintenance', '-a', APP])).stdout, 'on\n');
    ok(await cli.run(['apps:info', '-a', APP]), /Maintenance:\s+on/);
    ok(await cli.run(['maintenance:off', '-a', APP]));
    assert.equal((await cli.run(['maintenance', '-a', APP])).stdout, 'off\n');
  });

  test('releases lists them; releases:rollback makes a new release with the old config', async () => {
    const releases = JSON.parse(ok(await cli.run(['releases', '--json', '-a', APP]))) as { version: number; description: string }[];
    const beforeConfig = releases.find((r) => /^Deploy /.test(r.description));
    assert.ok(beforeConfig, JSON.stringify(releases));
    const current = Math.max(...releases.map((r) => r.version));
    ok(await cli.run(['releases', '-a', APP]), new RegExp(`Releases - Current: v${current}`), /Version\s+Description\s+User\s+Created/, /Set GREETING, OTHER config vars|Set GREETING/);
    ok(await cli.run(['releases:rollback', `v${beforeConfig.version}`, '-a', APP]),
      new RegExp(`Rolling back ⬢ paas-cli-app to v${beforeConfig.version}\\.\\.\\. done, v${current + 1}`));
    ok(await cli.run(['releases:info', '-a', APP]), new RegExp(`=== Release v${current + 1}`), new RegExp(`Rollback to v${beforeConfig.version}`));
    await waitFor('the rolled-back config in the running dyno', async () => (await p.viaRouter(APP)).body.startsWith('says hello'), { timeoutMs: 30_000, intervalMs: 300 });
    fails(await cli.run(['releases:rollback', 'latest', '-a', APP]), 2, /name it like v3/);
  });

  test('apps:destroy asks for --confirm, then destroys the app and removes its remote', async () => {
    fails(await cli.run(['apps:destroy'], { cwd: dir }), 2, new RegExp(`to proceed run \`paas apps:destroy -a ${APP} --confirm ${APP}\``));
    ok(await cli.run(['apps:destroy', '--confirm', APP], { cwd: dir }), /Destroying ⬢ paas-cli-app \(including all add-ons\)\.\.\. done/);
    assert.doesNotMatch((await cli.git(dir, ['remote', '-v'])).out, /paas/);
    assert.deepEqual(JSON.parse(ok(await cli.run(['apps', '--json']))), []);
    fails(await cli.run(['apps:info', '-a', APP]), 1, /List your apps with `paas apps`/);
  });
});
