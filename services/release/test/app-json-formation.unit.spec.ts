import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BUILD_1, BUILD_2, create, deploy, given, only, slug, when } from './domain-fixtures.js';

describe('app.json formation on the first deploy', () => {
  test('given a new app, when its first slug carries app.json formation, then the scale follows it (web 1 unless it says otherwise)', () => {
    const s = { ...slug({ web: 'npm start', worker: 'node w.js', clock: 'node c.js' }), formation: { worker: { quantity: 2, size: 'standard-2x' as const }, ghost: { quantity: 3 } } };
    const scaled = only(when(given(create()), deploy(s)), 'FormationScaled');
    assert.deepEqual(scaled.formation, [
      { type: 'clock', quantity: 0, size: 'standard-1x' },
      { type: 'web', quantity: 1, size: 'standard-1x' },
      { type: 'worker', quantity: 2, size: 'standard-2x' },
    ]);
    assert.deepEqual(scaled.changed.map((c) => c.type), ['worker', 'web'], 'types the slug does not declare are left out');
  });

  test('given an app already deployed, when a later slug carries app.json formation, then the scale is left alone', () => {
    const first = slug({ web: 'npm start', worker: 'node w.js' });
    const later = { ...slug({ web: 'npm start', worker: 'node w.js' }, 'def5678abc1234', 'c0000000-0000-4000-8000-000000000002'), formation: { worker: { quantity: 5 } } };
    const events = when(given(create(), deploy(first, BUILD_1)), deploy(later, BUILD_2));
    assert.deepEqual(events.map((e) => e.type), ['ReleaseCreated']);
  });
});
