import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { DesiredApp, DesiredRelease } from '../src/domain/desired-state.js';
import { gateRelease } from '../src/domain/release-phase.js';

const rel = (version: number, types: Record<string, string>): DesiredRelease => ({
  version, config: {}, slug: { id: `s${version}`, blob: { key: `k${version}`, checksum: `sha256:${'0'.repeat(64)}`, size: 1 }, processTypes: types },
});
const app = (release: DesiredRelease): DesiredApp => ({
  appId: 'a', appName: 'myapp', release, formation: [{ type: 'web', quantity: 1, size: 'basic' }], formationVersion: 1, destroyed: false,
  routing: { maintenance: false, domains: [], version: 1 },
});

describe('release phase gate', () => {
  const v4 = rel(4, { web: 'node server.js' });
  const v5 = rel(5, { web: 'node server.js', release: './migrate' });

  test('given a release without a release command, then it is planned as it is', () => {
    const a = app(v4);
    assert.deepEqual(gateRelease(a, undefined, undefined), { app: a, startPhase: false });
  });

  test('given a new release with a release command, then its phase starts and the app is planned on the live release', () => {
    const g = gateRelease(app(v5), undefined, v4);
    assert.equal(g.startPhase, true);
    assert.equal(g.app?.release?.version, 4);
  });

  test('given the phase running or failed, then it is not started again and the live release stays', () => {
    for (const state of ['running', 'failed'] as const) {
      const g = gateRelease(app(v5), { version: 5, state }, v4);
      assert.deepEqual([g.startPhase, g.app?.release?.version], [false, 4]);
    }
  });

  test('given the phase succeeded, then the new release is planned', () => {
    const a = app(v5);
    assert.deepEqual(gateRelease(a, { version: 5, state: 'succeeded' }, v4), { app: a, startPhase: false });
  });

  test('given a gate of an older release, then the newer release runs its own phase', () => {
    const g = gateRelease(app(rel(6, { web: 'x', release: 'y' })), { version: 5, state: 'succeeded' }, v5);
    assert.deepEqual([g.startPhase, g.app?.release?.version], [true, 5]);
  });

  test('given no live release known (a manager that just started), then nothing is planned until the phase succeeded', () => {
    assert.deepEqual(gateRelease(app(v5), undefined, undefined), { app: null, startPhase: true });
  });

  test('given a release the release service recorded as succeeded (a manager that just started), then it runs without a second phase', () => {
    const a = app({ ...v5, releasePhaseSucceeded: true });
    assert.deepEqual(gateRelease(a, undefined, undefined), { app: a, startPhase: false });
  });
});
