import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AppRoute, DynoRoute } from '@paas/contracts';
import { chooseDyno, RoutingTable } from '../src/domain/routing-table.js';

const appId = '6f1c3c0e-8d2a-4c55-9a57-0c3b9d6c1a11';
const app: AppRoute = { appId, appName: 'myapp', maintenance: false, domains: [] };
const dyno = (dynoId: string, over: Partial<DynoRoute> = {}): DynoRoute => ({
  appId, appName: 'myapp', dynoId, dyno: `web.${dynoId}`, releaseVersion: 2, state: 'up', host: '127.0.0.1', port: 5000, ...over,
});

describe('routing table', () => {
  test('given an app and its up web dynos, when looked up, then both dynos', () => {
    const t = new RoutingTable('localhost');
    t.apply({ kind: 'app', name: 'myapp', route: app });
    t.apply({ kind: 'dyno', name: 'myapp', dynoId: '1', route: dyno('1') });
    t.apply({ kind: 'dyno', name: 'myapp', dynoId: '2', route: dyno('2') });
    assert.deepEqual(t.lookup('myapp')?.dynos.map((d) => d.dynoId), ['1', '2']);
  });

  test('given a target looked up before, when the app or its dynos change, then the next lookup sees the change (targets are kept between changes)', () => {
    const t = new RoutingTable('localhost');
    t.apply({ kind: 'app', name: 'myapp', route: app });
    t.apply({ kind: 'dyno', name: 'myapp', dynoId: '1', route: dyno('1') });
    const first = t.lookup('myapp');
    assert.equal(t.lookup('myapp'), first, 'unchanged: the same target');
    t.apply({ kind: 'dyno', name: 'myapp', dynoId: '2', route: dyno('2') });
    assert.deepEqual(t.route('MyApp.localhost.:80')?.dynos.map((d) => d.dynoId), ['1', '2']);
    t.apply({ kind: 'dyno', name: 'myapp', dynoId: '1', route: dyno('1', { state: 'crashed' }) });
    t.apply({ kind: 'dyno', name: 'myapp', dynoId: '2', route: null });
    assert.deepEqual(t.lookup('myapp'), { app, dynos: [], crashed: 1 });
    t.apply({ kind: 'app', name: 'myapp', route: { ...app, maintenance: true } });
    assert.equal(t.route('myapp.localhost')?.app.maintenance, true);
    t.apply({ kind: 'app', name: 'myapp', route: null });
    assert.equal(t.route('myapp.localhost'), undefined);
  });

  test('given dynos that arrive before their app, when the app arrives, then they are routed', () => {
    const t = new RoutingTable('localhost');
    t.apply({ kind: 'dyno', name: 'myapp', dynoId: '1', route: dyno('1') });
    assert.equal(t.lookup('myapp'), undefined);
    t.apply({ kind: 'app', name: 'myapp', route: app });
    assert.equal(t.lookup('myapp')?.dynos.length, 1);
  });

  test('given dynos that are not up or not web, when looked up, then they are left out', () => {
    const t = new RoutingTable('localhost');
    t.apply({ kind: 'app', name: 'myapp', route: app });
    t.apply({ kind: 'dyno', name: 'myapp', dynoId: 's', route: dyno('s', { state: 'starting' }) });
    t.apply({ kind: 'dyno', name: 'myapp', dynoId: 'w', route: dyno('w', { dyno: 'worker.1' }) });
    assert.deepEqual(t.lookup('myapp'), { app, dynos: [], crashed: 0 });
  });

  test('given crashed web dynos and none up, when looked up, then they are counted, not routed', () => {
    const t = new RoutingTable('localhost');
    t.apply({ kind: 'app', name: 'myapp', route: app });
    t.apply({ kind: 'dyno', name: 'myapp', dynoId: 'c', route: dyno('c', { state: 'crashed' }) });
    t.apply({ kind: 'dyno', name: 'myapp', dynoId: 'w', route: dyno('w', { dyno: 'worker.1', state: 'crashed' }) });
    assert.deepEqual(t.lookup('myapp'), { app, dynos: [], crashed: 1 });
  });

  test('given a deleted dyno and a deleted app, when looked up, then the dyno is gone, then the app', () => {
    const t = new RoutingTable('localhost');
    t.apply({ kind: 'app', name: 'myapp', route: app });
    t.apply({ kind: 'dyno', name: 'myapp', dynoId: '1', route: dyno('1') });
    t.apply({ kind: 'dyno', name: 'myapp', dynoId: '1', route: null });
    assert.deepEqual(t.lookup('myapp')?.dynos, []);
    t.apply({ kind: 'app', name: 'myapp', route: null });
    assert.equal(t.lookup('myapp'), undefined);
    assert.equal(t.appCount, 0);
  });
});

describe('routing by host', () => {
  const routed = (domains: string[]) => {
    const t = new RoutingTable('localhost');
    t.apply({ kind: 'app', name: 'myapp', route: { ...app, domains } });
    t.apply({ kind: 'dyno', name: 'myapp', dynoId: '1', route: dyno('1') });
    return t;
  };

  test('given the default domain, when routed, then the app whatever the case and port', () => {
    const t = routed([]);
    assert.equal(t.route('myapp.localhost')?.app.appName, 'myapp');
    assert.equal(t.route('MyApp.LOCALHOST:8080')?.app.appName, 'myapp');
    assert.equal(t.route('other.localhost'), undefined);
    assert.equal(t.route(undefined), undefined);
  });

  test('given a custom domain, when routed, then the app, with a trailing dot or a port too', () => {
    const t = routed(['www.example.com']);
    assert.equal(t.route('www.example.com')?.dynos.length, 1);
    assert.equal(t.route('WWW.example.com.:443')?.app.appName, 'myapp');
    assert.equal(t.route('example.com'), undefined);
  });

  test('given a wildcard domain, when routed, then one label under it matches and deeper ones do not', () => {
    const t = routed(['*.example.org']);
    assert.equal(t.route('a.example.org')?.app.appName, 'myapp');
    assert.equal(t.route('a.b.example.org'), undefined);
    assert.equal(t.route('example.org'), undefined);
  });

  test('given an exact domain on another app, when routed, then the exact one wins over the wildcard', () => {
    const t = routed(['*.example.org']);
    t.apply({ kind: 'app', name: 'other', route: { ...app, appName: 'other', domains: ['api.example.org'] } });
    assert.equal(t.route('api.example.org')?.app.appName, 'other');
    assert.equal(t.route('www.example.org')?.app.appName, 'myapp');
  });

  test('given a domain removed from the app, or the app deleted, when routed, then nothing', () => {
    const t = routed(['www.example.com', 'api.example.com']);
    t.apply({ kind: 'app', name: 'myapp', route: { ...app, domains: ['api.example.com'] } });
    assert.equal(t.route('www.example.com'), undefined);
    assert.equal(t.route('api.example.com')?.app.appName, 'myapp');
    t.apply({ kind: 'app', name: 'myapp', route: null });
    assert.equal(t.route('api.example.com'), undefined);
  });

  test('given a domain stored with capitals, when routed and then removed, then it routes in any case and is gone once removed', () => {
    const t = routed(['WWW.Example.com']);
    assert.equal(t.route('www.EXAMPLE.com')?.app.appName, 'myapp');
    t.apply({ kind: 'app', name: 'myapp', route: { ...app, domains: [] } });
    assert.equal(t.route('www.example.com'), undefined);
  });

  test('given a domain that moved to another app, when the old app is rewritten, then it stays with the new one', () => {
    const t = routed(['www.example.com']);
    t.apply({ kind: 'app', name: 'other', route: { ...app, appName: 'other', domains: ['www.example.com'] } });
    t.apply({ kind: 'app', name: 'myapp', route: { ...app, domains: [] } });
    assert.equal(t.route('www.example.com')?.app.appName, 'other');
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
