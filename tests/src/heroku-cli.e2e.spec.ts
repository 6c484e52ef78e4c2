import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { waitFor } from '@paas/testing';
import { git, nodeApp, pushUrl, repoWith } from './git.js';
import { HerokuCli, type CliResult } from './heroku-cli.js';
import { Platform } from './platform.js';

/** Asserts a zero exit and returns the output. */
function ok(r: CliResult, ...expected: RegExp[]): string {
  assert.equal(r.code, 0, r.out);
  for (const e of expected) assert.match(r.out, e);
  return r.out;
}

describe('the real heroku CLI (v11) against the platform, unchanged', () => {
  let p: Platform;
  let h: HerokuCli;
  const dirs: string[] = [];

  before(async () => {
    p = await Platform.start();
    h = await HerokuCli.create(p.apiUrl, p.apiKey);
  });

  after(async () => {
    await p?.stop();
    await Promise.all([...dirs, h?.home].filter(Boolean).map((d) => rm(d!, { recursive: true, force: true })));
  });

  test('apps:create, apps, apps:info', async () => {
    ok(await h.run(['apps:create', 'cli-app']), /Creating cli-app\.\.\. done/, /http:\/\/cli-app\.localhost:\d+\//);
    ok(await h.run(['apps']), /cli-app/);
    ok(await h.run(['apps:info', '-a', 'cli-app']), /=== cli-app/, /Owner:\s+admin@paas\.local/, /Region:\s+us/, /Stack:\s+heroku-24/);
    const dup = await h.run(['apps:create', 'cli-app']);
    assert.notEqual(dup.code, 0);
    assert.match(dup.out, /already taken/);
  });

  test('config:set, config, config:get, config:unset make releases', async () => {
    ok(await h.run(['config:set', 'GREETING=hi', 'FOO=bar', '-a', 'cli-app']), /done, v2/, /GREETING:\s+hi/);
    ok(await h.run(['config', '-a', 'cli-app']), /FOO:\s+bar/, /GREETING:\s+hi/);
    assert.equal(ok(await h.run(['config:get', 'GREETING', '-a', 'cli-app'])).trim().split('\n').at(-1), 'hi');
    ok(await h.run(['config:unset', 'FOO', '-a', 'cli-app']), /done, v3/);
    assert.doesNotMatch(ok(await h.run(['config', '-a', 'cli-app'])), /FOO/);
  });

  test('a deploy, then ps, ps:scale (also with a size), ps:restart and ps:stop', async () => {
    const dir = await repoWith(nodeApp);
    dirs.push(dir);
    assert.equal((await git(dir, 'push', pushUrl(p.apiUrl, p.apiKey, 'cli-app'), 'main')).code, 0);
    ok(await h.run(['ps', '-a', 'cli-app']), /=== web \(standard-1x\): npm start \(1\)/, /web\.1: up/);
    ok(await h.run(['ps:scale', 'web=2', '-a', 'cli-app']), /now running web at 2:standard-1x/);
    await waitFor('two web dynos up', async () => /web\.2: up/.test((await h.run(['ps', '-a', 'cli-app'])).out), { timeoutMs: 30_000, intervalMs: 500 });
    ok(await h.run(['ps:scale', 'web=1:standard-2x', '-a', 'cli-app']), /now running web at 1:standard-2x/);
    ok(await h.run(['ps:restart', '-a', 'cli-app']), /Restarting all dynos on cli-app\.\.\. done/);
    ok(await h.run(['ps:restart', '--process-type', 'web', '-a', 'cli-app']), /done/);
    ok(await h.run(['ps:restart', '--dyno-name', 'web.1', '-a', 'cli-app']), /done/);
    ok(await h.run(['ps:stop', '--dyno-name', 'web.1', '-a', 'cli-app']), /done/);
    const missing = await h.run(['ps:restart', '--dyno-name', 'web.9', '-a', 'cli-app']);
    assert.notEqual(missing.code, 0);
    assert.match(missing.out, /Couldn't find that dyno/);
    await waitFor('web.1 up again after the stop', async () => /web\.1: up/.test((await h.run(['ps', '-a', 'cli-app'])).out), { timeoutMs: 30_000, intervalMs: 500 });
  });

  test('releases, releases:info and releases:rollback', async () => {
    ok(await h.run(['releases', '-a', 'cli-app']), /Current: v4/, /v4\s+Deploy [0-9a-f]{7}\s+admin@paas\.local/, /v3\s+Remove FOO config vars/, /v1\s+Initial release/);
    ok(await h.run(['releases:info', 'v3', '-a', 'cli-app']), /=== Release v3/, /Remove FOO config vars/, /GREETING:\s+hi/);
    ok(await h.run(['config:set', 'GREETING=changed', '-a', 'cli-app']), /v5/);
    ok(await h.run(['releases:rollback', 'v4', '-a', 'cli-app']), /Rolling back cli-app to v4\.\.\. done, v6/);
    ok(await h.run(['releases', '-n', '1', '-a', 'cli-app']), /v6\s+Rollback to v4/);
    assert.equal(ok(await h.run(['config:get', 'GREETING', '-a', 'cli-app'])).trim().split('\n').at(-1), 'hi');
  });

  test('logs shows the app\'s history; logs --tail follows new lines', async () => {
    ok(await h.run(['logs', '-n', '200', '-a', 'cli-app']), /app\[api\]: Build started by user admin@paas\.local/, /app\[api\]: Build succeeded/,
      /app\[api\]: Release v4 created by user admin@paas\.local/, /heroku\[web\.1\]: State changed from starting to up/);
    const tail = h.background(['logs', '--tail', '-n', '1', '-a', 'cli-app']);
    try {
      // The tail connects at some point after start: keep sending requests until one shows up in it.
      await waitFor('a router line on the tail', async () => {
        await p.viaRouter('cli-app', '/tail-probe');
        return /heroku\[router\]: at=info method=GET path="\/tail-probe"/.test(tail.output());
      }, { timeoutMs: 30_000, intervalMs: 500 });
    } finally {
      await tail.stop();
    }
  });

  test('run:detached runs a one-off dyno with the config vars; its output is in the logs', async () => {
    const out = ok(await h.run(['run:detached', 'echo one-off says $GREETING', '-a', 'cli-app']), /done, run\.\d+/);
    const dyno = /run\.\d+/.exec(out)![0];
    let seen = '';
    await waitFor('the one-off output in the logs', async () => {
      const logs = await h.run(['logs', '--dyno', dyno, '-a', 'cli-app']);
      seen = logs.out;
      return new RegExp(`app\\[${dyno.replace('.', '\\.')}\\]: one-off says hi`).test(logs.out) && /Process exited with status 0/.test(logs.out);
    }, { timeoutMs: 30_000, intervalMs: 500 }).catch((err: Error) => {
      throw new Error(`${err.message}\n--- heroku logs --dyno ${dyno} ---\n${seen}\n--- services ---\n${p.logs.filter((l) => /run\.|one-off|dyno-manager/.test(l)).slice(-40).join('\n')}`);
    });
  });

  test('domains, addons and auth:whoami', async () => {
    ok(await h.run(['domains', '-a', 'cli-app']), /cli-app\.localhost/);
    ok(await h.run(['addons', '-a', 'cli-app']), /No add-ons for app cli-app/);
    ok(await h.run(['auth:whoami']), /admin@paas\.local/);
  });

  test('domains:add, domains, domains:remove: custom domains point to the default hostname', async () => {
    ok(await h.run(['domains:add', 'www.example.com', '-a', 'cli-app']), /Adding www\.example\.com to cli-app\.\.\. done/, /DNS Target cli-app\.localhost/);
    const listed = ok(await h.run(['domains', '-a', 'cli-app']), /=== cli-app Heroku Domain\s+cli-app\.localhost/, /=== cli-app Custom Domains/);
    assert.match(listed, /www\.example\.com\s+CNAME\s+cli-app\.localhost/);
    const dup = await h.run(['domains:add', 'www.example.com', '-a', 'cli-app']);
    assert.notEqual(dup.code, 0);
    assert.match(dup.out, /already added/);
    ok(await h.run(['domains:info', 'www.example.com', '-a', 'cli-app']), /kind:\s+custom/, /cname:\s+cli-app\.localhost/);
    const platform = await h.run(['domains:add', 'other.localhost', '-a', 'cli-app']);
    assert.notEqual(platform.code, 0);
    assert.match(platform.out, /under the platform's domain/);
    ok(await h.run(['domains:remove', 'www.example.com', '-a', 'cli-app']), /Removing www\.example\.com from cli-app\.\.\. done/);
    const gone = ok(await h.run(['domains', '-a', 'cli-app']), /cli-app\.localhost/);
    assert.doesNotMatch(gone, /www\.example\.com/);
    ok(await h.run(['releases', '-n', '1', '-a', 'cli-app']), /v6\s+Rollback to v4/); // domains make no release
  });

  test('errors come back with Heroku\'s wording and Error ID', async () => {
    const r = await h.run(['apps:info', '-a', 'no-such-app']);
    assert.notEqual(r.code, 0);
    assert.match(r.out, /Couldn't find that app/);
  });

  test('apps:destroy --confirm removes the app', async () => {
    ok(await h.run(['apps:destroy', '-a', 'cli-app', '--confirm', 'cli-app']), /Destroying cli-app/);
    assert.doesNotMatch((await h.run(['apps'])).out, /cli-app/);
  });
});
