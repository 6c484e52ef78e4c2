import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AppRoute, DynoRoute } from '@paas/contracts';
import { chooseDyno, RoutingTable } from '../src/domain/routing-table.js';

const appId = '6f1c3c0e-8d2a-4c55-9a57-0c3b9d6c1a11';
const app: AppRoute = { appId, appName: 'myapp', maintenance: false };
const dyno = (dynoId: string, over: Partial<DynoRoute> = {}): DynoRoute => ({
  appId, appName: 'myapp', dynoId, dyno: `web.${dynoId}`, releaseVersion: 2, state: 'up', host: '127.0.0.1', port: 5000, ...over,
});

describe('routing table', () => {
  test('given an app and its up web dynos, when looked up, then both dynos', () => {
    const t = new RoutingTable();
    t.apply({ kind: 'app', name: 'myapp', route: app });
    t.apply({ kind: 'dyno', name: 'myapp', dynoId: '1', route: dyno('1') });
    t.apply({ kind: 'dyno', name: 'myapp', dynoId: '2', route: dyno('2') });
    assert.deepEqual(t.lookup('myapp')?.dynos.map((d) => d.dynoId), ['1', '2']);
  });

  test('given dynos that arrive before their app, when the app arrives, then they are routed', () => {
    const t = new RoutingTable();
    t.apply({ kind: 'dyno', name: 'myapp', dynoId: '1', route: dyno('1') });
    assert.equal(t.lookup('myapp'), undefined);
    t.apply({ kind: 'app', name: 'myapp', route: app });
    assert.equal(t.lookup('myapp')?.dynos.length, 1);
  });

  test('given dynos that are not up or not web, when looked up, then they are left out', () => {
    const t = new RoutingTable();
    t.apply({ kind: 'app', name: 'myapp', route: app });
    t.apply({ kind: 'dyno', name: 'myapp', dynoId: 's', route: dyno('s', { state: 'starting' }) });
    t.apply({ kind: 'dyno', name: 'myapp', dynoId: 'w', route: dyno('w', { dyno: 'worker.1' }) });
    assert.deepEqual(t.lookup('myapp'), { app, dynos: [] });
  });

  test('given a deleted dyno and a deleted app, when looked up, then the dyno is gone, then the app', () => {
    const t = new RoutingTable();
    t.apply({ kind: 'app', name: 'myapp', route: app });
    t.apply({ kind: 'dyno', name: 'myapp', dynoId: '1', route: dyno('1') });
    t.apply({ kind: 'dyno', name: 'myapp', dynoId: '1', route: null });
    assert.deepEqual(t.lookup('myapp')?.dynos, []);
    t.apply({ kind: 'app', name: 'myapp', route: null });
    assert.equal(t.lookup('myapp'), undefined);
    assert.equal(t.appCount, 0);
  });
});

describe('choosing a dyno', () => {
  const dynos = [dyno('1'), dyno('2'), dyno('3')];

  test('given a random number, when choosing, then it picks uniformly by position', () => {
    assert.equal(chooseDyno(dynos, new Set(), () => 0)?.dynoId, '1');
    assert.equal(chooseDyno(dynos, new Set(), () => 0.5)?.dynoId, '2');
    assert.equal(chooseDyno(dynos, new Set(), () => 0.9999)?.dynoId, '3');
  });

  test('given dynos already tried, when choosing, then only the others', () => {
    assert.equal(chooseDyno(dynos, new Set(['1', '2']), () => 0)?.dynoId, '3');
    assert.equal(chooseDyno(dynos, new Set(['1', '2', '3']), () => 0), undefined);
    assert.equal(chooseDyno([], new Set(), () => 0), undefined);
  });
});
