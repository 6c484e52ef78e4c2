import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateApp, GetApp, GetDesiredState, isPaasError, ListReleases, ReleasePhaseFinished, RollbackRelease, SetConfigVars, type AppInfo, type LogLine,
} from '@paas/contracts';
import { waitFor } from '@paas/testing';
import { aSlug, Harness } from './harness.js';

const by = 'admin@paas.local';

describe('release service: the outcome of release phases (ReleasePhaseFinished)', () => {
  const h = new Harness();
  let app: AppInfo;
  const logs: LogLine[] = [];

  const statuses = async () => (await h.rpc.request(ListReleases, { app: app.id })).map((r) => [r.version, r.status, r.current]);
  const finished = (version: number, exitCode: number) => h.publisher.publish(ReleasePhaseFinished,
    { appName: app.name, version, dyno: 'release.4821', command: './migrate', exitCode, succeeded: exitCode === 0 }, { appId: app.id });
  const desired = async () => (await h.rpc.request(GetDesiredState, {})).find((a) => a.appId === app.id)!.release;

  before(async () => {
    await h.start();
    app = await h.rpc.request(CreateApp, { name: 'migrating', by });
    const sub = h.nc.subscribe(h.n.logSubject(app.id));
    void (async () => { for await (const m of sub) logs.push(m.json<LogLine>()); })();
    await h.slugBuilt(app.id, app.name, aSlug({ web: 'node server.js' }));
    await h.tap.waitFor(app.id, 1, 'FormationScaled');
  });
  after(() => h.stop());

  test('a deploy with a release command is pending and current until its phase ends', async () => {
    await h.slugBuilt(app.id, app.name, aSlug({ web: 'node server.js', release: 'exit 3' }));
    await h.tap.waitFor(app.id, 3, 'ReleaseCreated');
    assert.deepEqual(await statuses(), [[1, 'succeeded', false], [2, 'succeeded', false], [3, 'pending', true]]);
  });

  test('a failed phase marks the release failed: current, the app and the desired state go back to v2; the log says so', async () => {
    await finished(3, 3);
    const changed = await h.tap.waitFor(app.id, 1, 'ReleaseStatusChanged');
    const v3 = (await h.rpc.request(ListReleases, { app: app.id })).find((r) => r.version === 3)!;
    assert.deepEqual(changed[0]!.data, { appName: 'migrating', releaseId: v3.id, version: 3, status: 'failed', exitCode: 3, dyno: 'release.4821', by });
    assert.deepEqual(await statuses(), [[1, 'succeeded', false], [2, 'succeeded', true], [3, 'failed', false]]);
    assert.equal((await h.rpc.request(GetApp, { app: app.id })).releaseVersion, 2);
    const live = await desired();
    assert.deepEqual([live.version, live.status, live.slug?.processTypes], [2, 'succeeded', { web: 'node server.js' }]);
    await waitFor('the failure in the app log', () => logs.some((l) => l.source === 'app' && l.dyno === 'api' && l.line === `Release v3 command failed by user ${by}`));
  });

  test('the same ReleasePhaseFinished again records nothing more', async () => {
    await finished(3, 3);
    await finished(3, 0);
    // A later event on the app proves the redeliveries were handled before it.
    await h.rpc.request(SetConfigVars, { app: app.id, changes: { A: '1' }, by });
    await h.tap.waitFor(app.id, 4, 'ReleaseCreated');
    assert.equal(h.tap.of(app.id, 'ReleaseStatusChanged').length, 1);
    const v4 = (await h.rpc.request(ListReleases, { app: app.id })).at(-1)!;
    assert.deepEqual([v4.version, v4.status, v4.current, Object.keys(v4.slug!.processTypes)], [4, 'succeeded', true, ['web']], 'the config change built on v2, the live slug');
  });

  test('a rollback to the failed release is refused with illegal_state; nothing is released', async () => {
    await assert.rejects(h.rpc.request(RollbackRelease, { app: app.id, release: 'v3', by }),
      (e: unknown) => isPaasError(e) && e.id === 'illegal_state' && /v3: its release command failed/.test(e.message));
    assert.equal((await h.rpc.request(ListReleases, { app: app.id })).length, 4);
  });

  test('a succeeded phase marks the release succeeded and keeps it current', async () => {
    await h.slugBuilt(app.id, app.name, aSlug({ web: 'node server.js', release: 'echo migrated' }));
    await h.tap.waitFor(app.id, 5, 'ReleaseCreated');
    await finished(5, 0);
    await h.tap.waitFor(app.id, 2, 'ReleaseStatusChanged');
    assert.deepEqual((await statuses()).slice(-2), [[4, 'succeeded', false], [5, 'succeeded', true]]);
    assert.equal((await desired()).version, 5);
  });
});
