import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { names } from '@paas/contracts';
import { connectNats, RouteTable, type NatsConnection } from '@paas/messaging';
import { cleanup, freshNamespace, waitFor } from '@paas/testing';
import { dynoRoute, routerSettings, startBackend, startRouter, viaRouter, type Backend } from './harness.js';

describe('router route table: follows the KV bucket live, survives restarts, runs side by side', () => {
  const ns = freshNamespace('rtt');
  const settings = routerSettings(ns);
  const backends: Backend[] = [];
  const routers: INestApplication[] = [];
  let nc: NatsConnection;
  let routes: RouteTable;
  let port: number;

  async function backend(name: string): Promise<Backend> {
    const b = await startBackend(name);
    backends.push(b);
    return b;
  }
  async function router(): Promise<number> {
    const r = await startRouter(settings);
    routers.push(r.app);
    return r.port;
  }
  async function bodiesOf(host: string, n: number, at = port): Promise<Set<string>> {
    const seen = new Set<string>();
    for (let i = 0; i < n; i++) seen.add((await viaRouter(at, host)).body);
    return seen;
  }

  before(async () => {
    nc = await connectNats(settings.messaging.natsUrl, 'router-table-test');
    routes = await RouteTable.open(nc, names(ns));
    port = await router(); // on an empty table
  });

  after(async () => {
    for (const r of routers) await r.close();
    for (const b of backends) await b.close();
    await nc?.close();
    await cleanup({ namespace: ns });
  });

  test('an app and dyno added after start are served without a restart', async () => {
    assert.equal((await viaRouter(port, 'late.localhost')).status, 404);
    const appId = randomUUID();
    await routes.putApp({ appId, appName: 'late', maintenance: false });
    await waitFor('the app to be known (H14)', async () => (await viaRouter(port, 'late.localhost')).status === 503);
    await routes.putDyno(dynoRoute(appId, 'late', 1, (await backend('late-1')).port));
    const r = await waitFor('the dyno to be served', async () => {
      const a = await viaRouter(port, 'late.localhost');
      return a.status === 200 ? a : undefined;
    });
    assert.equal(r.body, 'late-1');
  });

  test('a removed dyno stops getting requests; a removed app is a 404 again', async () => {
    const appId = randomUUID();
    const one = dynoRoute(appId, 'shrink', 1, (await backend('shrink-1')).port);
    const two = dynoRoute(appId, 'shrink', 2, (await backend('shrink-2')).port);
    await routes.putApp({ appId, appName: 'shrink', maintenance: false });
    await routes.putDyno(one);
    await routes.putDyno(two);
    await waitFor('both dynos to be served', async () => (await bodiesOf('shrink.localhost', 10)).size === 2);
    await routes.deleteDyno('shrink', one.dynoId);
    await waitFor('dyno 1 to be dropped', async () => !(await bodiesOf('shrink.localhost', 10)).has('shrink-1'));
    assert.deepEqual(await bodiesOf('shrink.localhost', 20), new Set(['shrink-2']));
    await routes.deleteApp('shrink');
    await waitFor('the app to be gone', async () => (await viaRouter(port, 'shrink.localhost')).status === 404);
  });

  test('a dyno that crashed is not routed to: H10 while every web dyno is crashed, H14 once none is listed', async () => {
    const appId = randomUUID();
    const d = dynoRoute(appId, 'crashy', 1, (await backend('crashy-1')).port);
    await routes.putApp({ appId, appName: 'crashy', maintenance: false });
    await routes.putDyno(d);
    await waitFor('the dyno to be served', async () => (await viaRouter(port, 'crashy.localhost')).status === 200);
    await routes.putDyno({ ...d, state: 'crashed' });
    const r = await waitFor('H10', async () => {
      const a = await viaRouter(port, 'crashy.localhost');
      return a.status === 503 ? a : undefined;
    });
    assert.match(r.body, /H10/);
    await routes.deleteDyno('crashy', d.dynoId);
    await waitFor('H14', async () => /H14/.test((await viaRouter(port, 'crashy.localhost')).body));
  });

  test('a restarted router serves the existing table as soon as it has started', async () => {
    const appId = randomUUID();
    await routes.putApp({ appId, appName: 'steady', maintenance: false });
    await routes.putDyno(dynoRoute(appId, 'steady', 1, (await backend('steady-1')).port));
    await waitFor('the dyno to be served', async () => (await viaRouter(port, 'steady.localhost')).status === 200);
    await routers.shift()!.close();
    port = await router();
    const r = await viaRouter(port, 'steady.localhost');
    assert.deepEqual([r.status, r.body], [200, 'steady-1']);
  });

  test('two routers side by side serve the same table and both follow changes', async () => {
    const other = await router();
    assert.equal((await viaRouter(other, 'steady.localhost')).body, 'steady-1');
    const appId = randomUUID();
    await routes.putApp({ appId, appName: 'shared', maintenance: false });
    await routes.putDyno(dynoRoute(appId, 'shared', 1, (await backend('shared-1')).port));
    for (const p of [port, other]) {
      await waitFor(`router on ${p} to serve the new app`, async () => (await viaRouter(p, 'shared.localhost')).body === 'shared-1');
    }
  });
});
