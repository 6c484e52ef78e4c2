import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import { names } from '@paas/contracts';
import { connectNats, RouteTable, type NatsConnection } from '@paas/messaging';
import { cleanup, freshNamespace, waitFor } from '@paas/testing';
import { dynoRoute, routerSettings, startBackend, startRouter, type Backend } from './harness.js';
import { RawClient } from './raw-client.js';

describe('router shutdown: requests in flight finish, whichever plane serves them', () => {
  const ns = freshNamespace('rtrstop');
  let nc: NatsConnection;
  let backend: Backend;
  const clients: RawClient[] = [];

  before(async () => {
    nc = await connectNats(routerSettings(ns).messaging.natsUrl, 'router-shutdown-test');
    const routes = await RouteTable.open(nc, names(ns));
    // Answers after the time its path asks for: in flight when the router is told to stop, the one
    // node:http serves outlasting the other.
    backend = await startBackend('slow', (req, res) => {
      req.resume();
      setTimeout(() => res.end(`done ${req.url}`), req.url === '/old' ? 900 : 200);
    });
    const appId = randomUUID();
    await routes.putApp({ appId, appName: 'slow', maintenance: false });
    await routes.putDyno(dynoRoute(appId, 'slow', 1, backend.port));
  });

  after(async () => {
    for (const c of clients) c.destroy();
    await backend?.close();
    await nc?.close();
    await cleanup({ namespace: ns });
  });

  test('an HTTP/1.1 request and an HTTP/1.0 one (handed to node:http) both get their answer after the stop began; new connections are refused', async () => {
    const router = await startRouter(routerSettings(ns, { shutdownGraceMs: 5000 }));
    let closed = false;
    try {
      const send = async (raw: string) => {
        const c = await RawClient.open(router.port);
        clients.push(c);
        c.socket.write(raw);
        return c;
      };
      const usual = await send('GET /usual HTTP/1.1\r\nHost: slow.localhost\r\n\r\n');
      const old = await send('GET /old HTTP/1.0\r\nHost: slow.localhost\r\n\r\n');
      await waitFor('both requests at the dyno', () => backend.seen.length >= 2 || undefined, { timeoutMs: 5000, intervalMs: 5 });
      const stopping = router.app.close().then(() => { closed = true; });
      await waitFor('the router to stop accepting', () => new Promise<true | undefined>((resolve) => {
        const s = connect(router.port, '127.0.0.1');
        s.on('connect', () => { s.destroy(); resolve(undefined); });
        s.on('error', () => resolve(true));
      }), { timeoutMs: 3000, intervalMs: 20 });
      await usual.until('the HTTP/1.1 answer', (t) => t.endsWith('done /usual'));
      await old.until('the HTTP/1.0 answer', (t) => t.endsWith('done /old'));
      assert.match(usual.text(), /^HTTP\/1\.1 200 OK\r\n/);
      assert.match(old.text(), /^HTTP\/1\.1 200 OK\r\n/);
      await stopping;
    } finally {
      if (!closed) await router.app.close().catch(() => undefined);
    }
  });
});
