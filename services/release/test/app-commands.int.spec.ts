import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateApp, DestroyApp, GetApp, GetConfigVars, GetDesiredState, GetFormation, GetRelease, ListApps, ListReleases,
  RollbackRelease, ScaleFormation, SetConfigVars, type AppInfo, type PaasError,
} from '@paas/contracts';
import { aSlug, Harness } from './harness.js';

const by = 'admin@paas.local';
const typed = (id: string, message?: RegExp) => (e: PaasError) => e.id === id && (!message || message.test(e.message));

describe('release service: apps, config, releases and formation over NATS request/reply', () => {
  const h = new Harness();
  let app: AppInfo;

  before(() => h.start());
  after(() => h.stop());

  test('creating an app appends AppCreated and release v1, published in order with their stream versions', async () => {
    app = await h.rpc.request(CreateApp, { name: 'myapp', by });
    assert.equal(app.name, 'myapp');
    assert.equal(app.releaseVersion, 1);
    assert.equal(app.stack, 'heroku-24');
    const [created, v1] = await h.tap.waitFor(app.id, 2);
    assert.equal(created!.type, 'AppCreated');
    assert.equal(created!.streamVersion, 1);
    assert.equal(v1!.type, 'ReleaseCreated');
    assert.equal(v1!.streamVersion, 2);
    assert.deepEqual(v1!.data, { ...(v1!.data as object), version: 1, description: 'Initial release', slug: null, config: {} });
    assert.equal(v1!.correlationId, created!.correlationId, 'one user action, one correlation id');
    assert.deepEqual(await h.rows('outbox'), [], 'the outbox is emptied once JetStream acked');
  });

  test('an app created without a name gets a generated one', async () => {
    const generated = await h.rpc.request(CreateApp, { by });
    assert.match(generated.name, /^[a-z]+-[a-z]+-\d{4}$/);
    assert.ok((await h.rpc.request(ListApps, {})).some((a) => a.id === generated.id));
  });

  test('a taken name is a conflict and nothing is written', async () => {
    const events = (await h.rows('events')).length;
    await assert.rejects(h.rpc.request(CreateApp, { name: 'myapp', by }), typed('conflict', /^Name myapp is already taken$/));
    assert.equal((await h.rows('events')).length, events);
    assert.equal((await h.rows('apps')).length, 2);
  });

  test('setting config makes release v2 "Set GREETING config vars"; the same value again makes none', async () => {
    const set = await h.rpc.request(SetConfigVars, { app: 'myapp', changes: { GREETING: 'hi' }, by });
    assert.deepEqual(set.config, { GREETING: 'hi' });
    assert.equal(set.release?.version, 2);
    assert.equal(set.release?.description, 'Set GREETING config vars');
    assert.deepEqual(set.release?.config, { GREETING: 'hi' });
    const again = await h.rpc.request(SetConfigVars, { app: app.id, changes: { GREETING: 'hi', NOPE: null }, by });
    assert.equal(again.release, null);
    assert.deepEqual(await h.rpc.request(GetConfigVars, { app: 'myapp' }), { GREETING: 'hi' });
    const changed = await h.tap.waitFor(app.id, 1, 'ConfigVarsChanged');
    assert.deepEqual(changed[0]!.data, { appName: 'myapp', changes: { GREETING: 'hi' }, by });
  });

  test('an invalid config var name is invalid_params and changes nothing', async () => {
    // Sent raw: the typed client would refuse to send it at all.
    const body = JSON.stringify({ app: 'myapp', changes: { 'A=B': 'x', OK: 'y' }, by });
    const reply = (await h.nc.request(h.n.rpcSubject('release', 'SetConfigVars'), body, { timeout: 5000 })).json<{ ok: boolean; error: { id: string } }>();
    assert.equal(reply.ok, false);
    assert.equal(reply.error.id, 'invalid_params');
    assert.deepEqual(await h.rpc.request(GetConfigVars, { app: 'myapp' }), { GREETING: 'hi' });
  });

  test('scaling before any deploy is not_found for the process type', async () => {
    await assert.rejects(h.rpc.request(ScaleFormation, { app: 'myapp', updates: [{ type: 'web', quantity: 1 }], by }), typed('not_found', /\(web\)/));
  });

  test('rollback: to a release without slug is illegal_state, to a deploy restores its slug and config', async () => {
    await h.slugBuilt(app.id, 'myapp', aSlug({ web: 'npm start', worker: 'node worker.js' }));
    await h.tap.waitFor(app.id, 3, 'ReleaseCreated'); // v3 Deploy
    await h.rpc.request(SetConfigVars, { app: 'myapp', changes: { GREETING: null, OTHER: 'x' }, by }); // v4
    await assert.rejects(h.rpc.request(RollbackRelease, { app: 'myapp', release: 'v1', by }), typed('illegal_state', /^Cannot roll back to v1: it has no slug/));
    await assert.rejects(h.rpc.request(RollbackRelease, { app: 'myapp', release: 'v42', by }), typed('not_found'));
    const rolled = await h.rpc.request(RollbackRelease, { app: 'myapp', release: '3', by });
    assert.equal(rolled.version, 5);
    assert.equal(rolled.description, 'Rollback to v3');
    assert.deepEqual(rolled.config, { GREETING: 'hi' });
    const v3 = await h.rpc.request(GetRelease, { app: 'myapp', release: 'v3' });
    assert.deepEqual(rolled.slug, v3.slug);
    assert.deepEqual(await h.rpc.request(GetRelease, { app: 'myapp', release: rolled.id }), rolled);
    assert.deepEqual(await h.rpc.request(GetConfigVars, { app: 'myapp' }), { GREETING: 'hi' });
  });

  test('releases are listed ascending and only the newest is current', async () => {
    const releases = await h.rpc.request(ListReleases, { app: 'myapp' });
    assert.deepEqual(releases.map((r) => [r.version, r.description, r.current]), [
      [1, 'Initial release', false], [2, 'Set GREETING config vars', false], [3, 'Deploy abc1234', false],
      [4, 'Set OTHER config vars, remove GREETING', false], [5, 'Rollback to v3', true],
    ]);
  });

  test('scaling: a type the release lacks is not_found; web=2 standard-2x is published and listed', async () => {
    await assert.rejects(h.rpc.request(ScaleFormation, { app: 'myapp', updates: [{ type: 'clock', quantity: 1 }], by }),
      typed('not_found', /^Couldn't find that process type \(clock\)\.$/));
    const formation = await h.rpc.request(ScaleFormation, { app: 'myapp', updates: [{ type: 'web', quantity: 2, size: 'standard-2x' }], by });
    assert.deepEqual(formation.map((f) => [f.type, f.quantity, f.size, f.command]), [['web', 2, 'standard-2x', 'npm start'], ['worker', 0, 'standard-1x', 'node worker.js']]);
    assert.deepEqual(await h.rpc.request(GetFormation, { app: app.id }), formation);
    const scaled = await h.tap.waitFor(app.id, 2, 'FormationScaled'); // web=1 at deploy, then this
    assert.deepEqual((scaled[1]!.data as { changed: unknown }).changed, [{ type: 'web', quantity: 2, size: 'standard-2x' }]);
  });

  test('the desired state carries the current release with slug and config, the formation and the stream version', async () => {
    const desired = (await h.rpc.request(GetDesiredState, {})).find((d) => d.appId === app.id)!;
    assert.equal(desired.release.version, 5);
    assert.ok(desired.release.slug);
    assert.deepEqual(desired.release.config, { GREETING: 'hi' });
    assert.deepEqual(desired.formation, [{ type: 'web', quantity: 2, size: 'standard-2x' }, { type: 'worker', quantity: 0, size: 'standard-1x' }]);
    const last = await h.tap.waitFor(app.id, desired.streamVersion);
    assert.equal(last[last.length - 1]!.streamVersion, desired.streamVersion);
  });

  test('destroying frees the name; later commands on it are not_found', async () => {
    const gone = await h.rpc.request(DestroyApp, { app: 'myapp', by });
    assert.equal(gone.id, app.id);
    await h.tap.waitFor(app.id, 1, 'AppDestroyed');
    await assert.rejects(h.rpc.request(GetApp, { app: app.id }), typed('not_found', /^Couldn't find that app\.$/));
    await assert.rejects(h.rpc.request(SetConfigVars, { app: app.id, changes: { A: '1' }, by }), typed('not_found'));
    assert.deepEqual((await h.rpc.request(GetDesiredState, {})).filter((d) => d.appId === app.id), []);
    const reborn = await h.rpc.request(CreateApp, { name: 'myapp', by });
    assert.notEqual(reborn.id, app.id);
    assert.equal(reborn.releaseVersion, 1);
  });
});
