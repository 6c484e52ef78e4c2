import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { applyDestroyed, applyFormation, applyRelease, applyRouting, applySnapshot, type DesiredRelease } from '../src/domain/desired-state.js';
import { restartDelay, crashesAfter } from '../src/domain/restart-policy.js';

const ID = '00000000-0000-4000-8000-000000000001';
const rel = (version: number): DesiredRelease => ({ version, slug: null, config: { V: String(version) } });
const web = (quantity: number) => [{ type: 'web', quantity, size: 'basic' as const }];

describe('desired state, applied by version', () => {
  test('given release v3 known, when v2 arrives late, then it is ignored', () => {
    const v3 = applyRelease(undefined, ID, 'myapp', rel(3));
    assert.equal(v3.changed, true);
    const late = applyRelease(v3.app, ID, 'myapp', rel(2));
    assert.equal(late.changed, false);
    assert.equal(late.app.release?.version, 3);
  });

  test('given a formation at stream version 7, when one from version 5 arrives, then it is ignored', () => {
    const f7 = applyFormation(undefined, ID, 'myapp', web(2), 7);
    const f5 = applyFormation(f7.app, ID, 'myapp', web(5), 5);
    assert.equal(f5.changed, false);
    assert.deepEqual(f5.app.formation, web(2));
  });

  test('given newer events, when an older snapshot is merged, then the events win', () => {
    const events = applyFormation(applyRelease(undefined, ID, 'myapp', rel(4)).app, ID, 'myapp', web(3), 9).app;
    const merged = applySnapshot(events, { appId: ID, appName: 'myapp', release: rel(3), formation: web(1), streamVersion: 8, maintenance: false, domains: [] });
    assert.equal(merged.app.release?.version, 4);
    assert.deepEqual(merged.app.formation, web(3));
    const newer = applySnapshot(events, { appId: ID, appName: 'myapp', release: rel(5), formation: web(0), streamVersion: 10, maintenance: false, domains: [] });
    assert.equal(newer.app.release?.version, 5);
    assert.deepEqual(newer.app.formation, web(0));
  });

  test('given a destroyed app, when a late release or snapshot arrives, then it stays destroyed', () => {
    const gone = applyDestroyed(applyRelease(undefined, ID, 'myapp', rel(2)).app, ID, 'myapp').app;
    assert.equal(applyRelease(gone, ID, 'myapp', rel(3)).changed, false);
    const snap = applySnapshot(gone, { appId: ID, appName: 'myapp', release: rel(4), formation: web(1), streamVersion: 20, maintenance: false, domains: [] });
    assert.equal(snap.app.destroyed, true);
    assert.equal(snap.app.release?.version, 2);
  });
});

describe('restart policy', () => {
  const p = { backoffBaseMs: 1000, backoffMaxMs: 8000 };
  test('the first crash restarts at once, later ones after a growing cool-off up to the max', () => {
    assert.deepEqual([1, 2, 3, 4, 5, 6].map((n) => restartDelay(n, p)), [0, 1000, 2000, 3000, 8000, 8000]);
  });
  test("with Heroku's timings the cool-offs are 20, 40, 60, 180 and 320 minutes, then stay at 320", () => {
    const heroku = { backoffBaseMs: 20 * 60_000, backoffMaxMs: 320 * 60_000 };
    assert.deepEqual([2, 3, 4, 5, 6, 7].map((n) => restartDelay(n, heroku) / 60_000), [20, 40, 60, 180, 320, 320]);
  });
  test('a run that lasted the max back-off resets the count', () => {
    assert.equal(crashesAfter(4, 100, p), 5);
    assert.equal(crashesAfter(4, 8000, p), 1);
  });
});

describe('routing facts (domains, maintenance), applied by version', () => {
  const snap = (streamVersion: number, maintenance: boolean, domains: string[]) =>
    ({ appId: ID, appName: 'myapp', release: rel(2), formation: web(1), streamVersion, maintenance, domains });

  test('given domain and maintenance events, when applied in order, then the route has them', () => {
    const a = applyRouting(undefined, ID, 'myapp', { kind: 'domain-added', hostname: 'www.example.com' }, 3).app;
    const b = applyRouting(a, ID, 'myapp', { kind: 'maintenance', maintenance: true }, 4);
    assert.equal(b.changed, true);
    assert.deepEqual(b.app.routing, { maintenance: true, domains: ['www.example.com'], version: 4 });
    const c = applyRouting(b.app, ID, 'myapp', { kind: 'domain-removed', hostname: 'www.example.com' }, 5).app;
    assert.deepEqual(c.routing.domains, []);
  });

  test('given a newer event known, when an older one or an older snapshot arrives, then it is ignored', () => {
    const a = applyRouting(undefined, ID, 'myapp', { kind: 'maintenance', maintenance: true }, 6).app;
    assert.equal(applyRouting(a, ID, 'myapp', { kind: 'maintenance', maintenance: false }, 5).changed, false);
    const old = applySnapshot(a, snap(5, false, ['old.example.com']));
    assert.deepEqual(old.app.routing, a.routing);
  });

  test('given a newer snapshot, when merged, then it replaces the routing facts', () => {
    const a = applySnapshot(undefined, snap(3, false, [])).app;
    const same = applySnapshot(a, snap(4, false, []));
    assert.deepEqual(same.app.routing, { maintenance: false, domains: [], version: 4 });
    const moved = applySnapshot(same.app, snap(5, true, ['*.example.org']));
    assert.equal(moved.changed, true);
    assert.deepEqual(moved.app.routing, { maintenance: true, domains: ['*.example.org'], version: 5 });
  });
});
