import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { applyDestroyed, applyFormation, applyRelease, applySnapshot, type DesiredRelease } from '../src/domain/desired-state.js';
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
    const merged = applySnapshot(events, { appId: ID, appName: 'myapp', release: rel(3), formation: web(1), streamVersion: 8 });
    assert.equal(merged.app.release?.version, 4);
    assert.deepEqual(merged.app.formation, web(3));
    const newer = applySnapshot(events, { appId: ID, appName: 'myapp', release: rel(5), formation: web(0), streamVersion: 10 });
    assert.equal(newer.app.release?.version, 5);
    assert.deepEqual(newer.app.formation, web(0));
  });

  test('given a destroyed app, when a late release or snapshot arrives, then it stays destroyed', () => {
    const gone = applyDestroyed(applyRelease(undefined, ID, 'myapp', rel(2)).app, ID, 'myapp').app;
    assert.equal(applyRelease(gone, ID, 'myapp', rel(3)).changed, false);
    const snap = applySnapshot(gone, { appId: ID, appName: 'myapp', release: rel(4), formation: web(1), streamVersion: 20 });
    assert.equal(snap.app.destroyed, true);
    assert.equal(snap.app.release?.version, 2);
  });
});

describe('restart policy', () => {
  const p = { backoffBaseMs: 1000, backoffMaxMs: 8000 };
  test('the first crash restarts at once, later ones after a doubling back-off up to the max', () => {
    assert.deepEqual([1, 2, 3, 4, 5, 6].map((n) => restartDelay(n, p)), [0, 1000, 2000, 4000, 8000, 8000]);
  });
  test('a run that lasted the max back-off resets the count', () => {
    assert.equal(crashesAfter(4, 100, p), 5);
    assert.equal(crashesAfter(4, 8000, p), 1);
  });
});
