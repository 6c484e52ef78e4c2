import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { waitFor } from '@paas/testing';
import { git, nodeApp, pushUrl, pythonApp, Scratch } from './git.js';
import { OtlpCollector } from './otlp-collector.js';
import { Platform } from './platform.js';

describe('git push to an HTTP answer, through the five services as processes', () => {
  let p: Platform;
  let collector: OtlpCollector;
  const scratch = new Scratch();
  const repo = (files: Record<string, string>) => scratch.repo(files);

  before(async () => {
    collector = await OtlpCollector.start();
    p = await Platform.start({ OTEL_EXPORTER_OTLP_ENDPOINT: collector.url });
  });

  after(async () => {
    await p?.stop();
    await collector?.close();
    await scratch.remove();
  });

  test('a Node app: create, push, served through the router; a config change is served after its release', async () => {
    const created = await p.api('POST', '/apps', { name: 'node-hello' });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.web_url, `http://node-hello.localhost:${p.routerPort}/`);

    const dir = await repo(nodeApp);
    const push = await git(dir, 'push', pushUrl(p.apiUrl, p.apiKey, 'node-hello'), 'main');
    assert.equal(push.code, 0, push.output);
    assert.match(push.output, /remote: -----> Node\.js app detected/);
    assert.match(push.output, /remote:\s+Released v2/);
    assert.match(push.output, /deployed/);

    const first = await waitFor('the app to answer through the router', async () => {
      const r = await p.viaRouter('node-hello');
      return r.status === 200 ? r : undefined;
    });
    assert.equal(first.body, 'node says hello from web.1');

    const set = await p.api('PATCH', '/apps/node-hello/config-vars', { GREETING: 'bonjour' });
    assert.equal(set.status, 200);
    assert.deepEqual(set.body, { GREETING: 'bonjour' });
    const releases = await p.api('GET', '/apps/node-hello/releases');
    assert.deepEqual(releases.body.map((r: { version: number; description: string }) => [r.version, r.description]), [
      [1, 'Initial release'], [2, `Deploy ${(await git(dir, 'rev-parse', 'HEAD')).output.trim().slice(0, 7)}`], [3, 'Set GREETING config vars'],
    ]);
    await waitFor('the new config var to be served', async () => (await p.viaRouter('node-hello')).body === 'node says bonjour from web.1', { timeoutMs: 30_000 });

    const paged = await fetch(`${p.apiUrl}/apps/node-hello/releases`, { headers: { authorization: `Bearer ${p.apiKey}`, range: 'version ..; max=2, order=desc' } });
    assert.equal(paged.status, 206);
    assert.deepEqual((await paged.json() as { version: number }[]).map((r) => r.version), [3, 2]);
    assert.equal(paged.headers.get('next-range'), 'version ]2..; max=2, order=desc');
    const last = await fetch(`${p.apiUrl}/apps/node-hello/releases`, { headers: { authorization: `Bearer ${p.apiKey}`, range: paged.headers.get('next-range')! } });
    assert.equal(last.status, 200);
    assert.deepEqual((await last.json() as { version: number }[]).map((r) => r.version), [1]);

    const dynos = await p.api('GET', '/apps/node-hello/dynos');
    assert.equal(dynos.status, 200);
    assert.deepEqual(dynos.body.filter((d: { state: string }) => d.state === 'up').map((d: { name: string; release: { version: number } }) => [d.name, d.release.version]), [['web.1', 3]]);
  });

  test('a Python app with an empty requirements.txt is built and served', async () => {
    assert.equal((await p.api('POST', '/apps', { name: 'py-hello' })).status, 201);
    const dir = await repo(pythonApp);
    const push = await git(dir, 'push', pushUrl(p.apiUrl, p.apiKey, 'py-hello'), 'main');
    assert.equal(push.code, 0, push.output);
    assert.match(push.output, /Python app detected/i);
    const r = await waitFor('the python app to answer', async () => {
      const res = await p.viaRouter('py-hello');
      return res.status === 200 ? res : undefined;
    });
    assert.equal(r.body, 'python says hello');
  });

  test('scaling web to 2 runs two dynos behind the router, to 0 answers H14', async () => {
    const scaled = await p.api('PATCH', '/apps/node-hello/formation', { updates: [{ type: 'web', quantity: '2' }] });
    assert.equal(scaled.status, 200, JSON.stringify(scaled.body));
    const seen = new Set<string>();
    await waitFor('both dynos to answer', async () => {
      seen.add((await p.viaRouter('node-hello')).body);
      return seen.has('node says bonjour from web.1') && seen.has('node says bonjour from web.2');
    }, { timeoutMs: 30_000, intervalMs: 20 });
    await p.api('PATCH', '/apps/node-hello/formation', { updates: [{ type: 'web', quantity: 0 }] });
    const down = await waitFor('H14', async () => {
      const r = await p.viaRouter('node-hello');
      return r.status === 503 ? r : undefined;
    });
    assert.match(down.body, /H14|No web processes/i);
  });

  test('bad input gets a clear error and changes nothing', async () => {
    const bad = await p.api('POST', '/apps', { name: 'Bad_Name' });
    assert.equal(bad.status, 422);
    assert.equal(bad.body.id, 'invalid_params');
    const dup = await p.api('POST', '/apps', { name: 'node-hello' });
    assert.equal(dup.status, 409);
    assert.match(dup.body.message, /already taken/);
    assert.deepEqual(await p.api('GET', '/apps/nope-nope'), { status: 404, body: { id: 'not_found', message: "Couldn't find that app." } });
    assert.equal((await p.api('GET', '/apps', undefined, null)).status, 401);
    assert.equal((await p.api('GET', '/apps', undefined, 'wrong')).status, 401);
    const malformed = await fetch(`${p.apiUrl}/apps`, { method: 'POST', headers: { authorization: `Bearer ${p.apiKey}`, 'content-type': 'application/json' }, body: '{"name": "half' });
    assert.equal(malformed.status, 400);
    assert.equal((await malformed.json() as { id: string }).id, 'bad_request');
    const wrongType = await p.api('PATCH', '/apps/node-hello/formation', { updates: [{ type: 'web', quantity: 'many' }] });
    assert.equal(wrongType.status, 422);
    assert.match(wrongType.body.message, /quantity/);

    for (const accept of ['application/vnd.heroku+json; version=3.sdk', 'application/vnd.heroku+json; version=99', 'application/json']) {
      const r = await fetch(`${p.apiUrl}/apps`, { headers: { authorization: `Bearer ${p.apiKey}`, accept } });
      assert.equal(r.status, 200, `${accept} is answered as v3`);
    }
    const extra = await p.api('PATCH', '/apps/node-hello/formation', { updates: [{ type: 'web', quantity: 0, surprise: true }], also: 'ignored' });
    assert.equal(extra.status, 200, 'unknown fields are ignored, as Heroku does');

    const apps = await p.api('GET', '/apps');
    assert.deepEqual(apps.body.map((a: { name: string }) => a.name).sort(), ['node-hello', 'py-hello']);

    const unknown = await git(await repo(nodeApp), 'push', pushUrl(p.apiUrl, p.apiKey, 'nope-nope'), 'main');
    assert.notEqual(unknown.code, 0);
    assert.match(unknown.output, /not found/i);

    const noKey = await git(await repo(nodeApp), 'push', pushUrl(p.apiUrl, 'wrong-key', 'node-hello'), 'main');
    assert.notEqual(noKey.code, 0);
    assert.match(noKey.output, /Authentication failed|401/);
  });

  test('a push whose build fails is rejected, the branch is not updated and no release is made', async () => {
    assert.equal((await p.api('POST', '/apps', { name: 'broken-app' })).status, 201);
    const badProcfile = await git(await repo({ Procfile: 'web: node a.js\nworker:\n', 'a.js': '' }), 'push', pushUrl(p.apiUrl, p.apiKey, 'broken-app'), 'main');
    assert.notEqual(badProcfile.code, 0);
    assert.match(badProcfile.output, /line 2/);
    assert.match(badProcfile.output, /pre-receive hook declined/);

    const empty = await git(await repo({}), 'push', pushUrl(p.apiUrl, p.apiKey, 'broken-app'), 'main');
    assert.notEqual(empty.code, 0);
    assert.match(empty.output, /not compatible with any buildpack/i);

    const refs = await git(await repo({}), 'ls-remote', pushUrl(p.apiUrl, p.apiKey, 'broken-app'));
    assert.equal(refs.code, 0, refs.output);
    assert.equal(refs.output.trim(), '');
    const releases = await p.api('GET', '/apps/broken-app/releases');
    assert.deepEqual(releases.body.map((r: { version: number }) => r.version), [1]);

    // The Build API lists both failed builds, with why; the successful deploy of node-hello too.
    const failed = await p.api('GET', '/apps/broken-app/builds');
    assert.deepEqual(failed.body.map((b: { status: string }) => b.status), ['failed', 'failed']);
    assert.match(failed.body[0].failure_reason, /line 2/);
    const built = (await p.api('GET', '/apps/node-hello/builds')).body;
    assert.equal(built.length, 1);
    assert.equal(built[0].status, 'succeeded');
    assert.match(built[0].source_blob.version, /^[0-9a-f]{40}$/);
    assert.ok(built[0].slug.id);
    assert.deepEqual((await p.api('GET', `/apps/node-hello/builds/${built[0].id}`)).body.id, built[0].id);
    assert.equal((await p.api('GET', `/apps/broken-app/builds/${built[0].id}`)).status, 404);
  });

  test('pushing master deploys too; another branch is stored without a build', async () => {
    assert.equal((await p.api('POST', '/apps', { name: 'master-app' })).status, 201);
    const dir = await repo(nodeApp);
    const feature = await git(dir, 'push', pushUrl(p.apiUrl, p.apiKey, 'master-app'), 'main:feature');
    assert.equal(feature.code, 0, feature.output);
    assert.match(feature.output, /only main and master deploy/);
    assert.deepEqual((await p.api('GET', '/apps/master-app/releases')).body.map((r: { version: number }) => r.version), [1]);
    const master = await git(dir, 'push', pushUrl(p.apiUrl, p.apiKey, 'master-app'), 'main:master');
    assert.equal(master.code, 0, master.output);
    assert.match(master.output, /Released v2/);
    await waitFor('master-app to answer', async () => (await p.viaRouter('master-app')).status === 200);
    assert.equal((await p.api('DELETE', '/apps/master-app')).status, 200);
  });

  test('a config var set to null is removed in a new release', async () => {
    const unset = await p.api('PATCH', '/apps/node-hello/config-vars', { GREETING: null });
    assert.equal(unset.status, 200);
    assert.deepEqual(unset.body, {});
    const newest = (await p.api('GET', '/apps/node-hello/releases')).body.at(-1);
    assert.equal(newest.description, 'Remove GREETING config vars');
    assert.deepEqual((await p.api('GET', `/apps/node-hello/releases/${newest.version}`)).body.version, newest.version);
    assert.deepEqual((await p.api('GET', '/apps/node-hello/config-vars')).body, {});
  });

  test('every service exports its spans over OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set', async () => {
    await waitFor('spans from the five services', () => ['api', 'builder', 'release', 'dyno-manager', 'router'].every((s) => collector.services.has(`paas-${s}`)) || undefined, { timeoutMs: 20_000 })
      .catch(() => assert.fail(`collector got spans from: ${[...collector.services].join(', ')}`));
    assert.ok(collector.spans > 10);
  });

  test('destroying an app stops its dynos and frees its name', async () => {
    const gone = await p.api('DELETE', '/apps/py-hello');
    assert.equal(gone.status, 200);
    await waitFor('the router to forget the app', async () => (await p.viaRouter('py-hello')).status === 404);
    assert.equal((await p.api('GET', '/apps/py-hello')).status, 404);
  });

  test('/healthz answers 503 naming the service that stopped answering', async () => {
    await p.kill('builder');
    const r = await fetch(`${p.apiUrl}/healthz`);
    assert.equal(r.status, 503);
    const body = await r.json() as { ok: boolean; services: Record<string, string> };
    assert.equal(body.ok, false);
    assert.match(body.services.builder, /^down: The builder service is not running/);
    assert.equal(body.services.release, 'up');
  });
});
