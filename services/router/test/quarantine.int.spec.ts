import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { names } from '@paas/contracts';
import { connectNats, RouteTable, type NatsConnection } from '@paas/messaging';
import { cleanup, freshNamespace, waitFor } from '@paas/testing';
import { closedPort, dynoRoute, routerSettings, startBackend, startRouter, viaRouter, type Backend } from './harness.js';

describe('router quarantine: a dyno that refused a connection is skipped while another is up', () => {
  const ns = freshNamespace('rtrq');
  const appId = randomUUID();
  const backends: Backend[] = [];
  let router: { app: INestApplication; port: number };
  let nc: NatsConnection;
  let routes: RouteTable;

  before(async () => {
    nc = await connectNats(routerSettings(ns).messaging.natsUrl, 'router-quarantine-test');
    routes = await RouteTable.open(nc, names(ns));
    await routes.putApp({ appId, appName: 'quar', maintenance: false });
    router = await startRouter(routerSettings(ns, { quarantineMs: 60_000 }));
  });

  after(async () => {
    await router?.app.close();
    for (const b of backends) await b.close();
    await nc?.close();
    await cleanup({ namespace: ns });
  });

  test('after one refusal, requests go only to the healthy dyno, even once the refusing one listens again', async () => {
    const deadPort = await closedPort();
    const dead = dynoRoute(appId, 'quar', 1, deadPort);
    await routes.putDyno(dead);
    // The only dyno refuses: H21, and this router sets it aside.
    assert.equal((await waitFor('the refusing dyno to be routed', async () => {
      const a = await viaRouter(router.port, 'quar.localhost');
      return a.body.includes('H21') ? a : undefined;
    })).status, 503);
    const healthy = await startBackend('healthy');
    backends.push(healthy);
    await routes.putDyno(dynoRoute(appId, 'quar', 2, healthy.port));
    await waitFor('the healthy dyno to be routed', async () => (await viaRouter(router.port, 'quar.localhost')).body === 'healthy');
    // The refusing dyno comes back on its port: without quarantine about half the requests would go there.
    const revived = await startBackend('revived', undefined, deadPort);
    backends.push(revived);
    const before = healthy.seen.length;
    for (let i = 0; i < 20; i++) assert.equal((await viaRouter(router.port, 'quar.localhost')).body, 'healthy');
    assert.equal(healthy.seen.length - before, 20);
    assert.equal(revived.seen.length, 0);
  });
});
