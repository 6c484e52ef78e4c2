import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { DynoRoute } from '@paas/contracts';
import { Quarantine } from '../src/domain/quarantine.js';

const dyno = (id: string): DynoRoute => ({ appId: 'a', appName: 'app', dynoId: id, dyno: `web.${id}`, releaseVersion: 1, state: 'up', host: '127.0.0.1', port: 1 });

describe('quarantine', () => {
  test('given a dyno that refused, when another exists, then only the other is preferred', () => {
    let now = 1000;
    const q = new Quarantine(5000, () => now);
    q.add('1');
    assert.deepEqual(q.prefer([dyno('1'), dyno('2')]).map((d) => d.dynoId), ['2']);
  });

  test('given every dyno set aside, when preferring, then all are still tried', () => {
    const q = new Quarantine(5000, () => 0);
    q.add('1');
    assert.deepEqual(q.prefer([dyno('1')]).map((d) => d.dynoId), ['1']);
  });

  test('given the quarantine time passed, when preferring, then the dyno is back', () => {
    let now = 0;
    const q = new Quarantine(5000, () => now);
    q.add('1');
    now = 4999;
    assert.equal(q.has('1'), true);
    now = 5000;
    assert.equal(q.has('1'), false);
    assert.deepEqual(q.prefer([dyno('1'), dyno('2')]).map((d) => d.dynoId), ['1', '2']);
  });
});
