import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { names, parseLogLines } from '@paas/contracts';
import { connectNats, RouteTable, type NatsConnection } from '@paas/messaging';
import { cleanup, freshNamespace, waitFor } from '@paas/testing';
import { dynoRoute, routerSettings, startBackend, startRouter, type Backend } from './harness.js';
import { RawClient } from './raw-client.js';

describe('router limits: request line 8192 B -> 414 (H25), header over 8192 B or 1000 headers -> 431', () => {
  const ns = freshNamespace('rtrlim');
  const appId = randomUUID();
  const logs: { subject: string; line: string }[] = [];
  const clients: RawClient[] = [];
  let backend: Backend;
  let router: { app: INestApplication; port: number };
  let nc: NatsConnection;
  const logLines = () => logs.filter((l) => l.subject === names(ns).logSubject(appId)).map((l) => l.line);

  /** Sends a raw request head and returns the status the router answered with. */
  async function send(requestLine: string, headers: string[]): Promise<number> {
    const c = await RawClient.open(router.port);
    clients.push(c);
    c.socket.write(`${requestLine}\r\n${['Host: lim.localhost', 'Connection: close', ...headers].join('\r\n')}\r\n\r\n`);
    return (await c.head()).status;
  }

  before(async () => {
    nc = await connectNats(routerSettings(ns).messaging.natsUrl, 'router-limits-test');
    nc.subscribe(`${ns}.logs.>`, { callback: (_, m) => { for (const l of parseLogLines(m.string())) logs.push({ subject: m.subject, line: l.line }); } });
    const routes = await RouteTable.open(nc, names(ns));
    backend = await startBackend('lim');
    await routes.putApp({ appId, appName: 'lim', maintenance: false });
    await routes.putDyno(dynoRoute(appId, 'lim', 1, backend.port));
    router = await startRouter(routerSettings(ns));
  });

  after(async () => {
    for (const c of clients) c.destroy();
    await router?.app.close();
    await backend?.close();
    await nc?.close();
    await cleanup({ namespace: ns });
  });

  test('a request line just within 8192 bytes reaches the dyno', async () => {
    assert.equal(await send(`GET /${'a'.repeat(8000)} HTTP/1.1`, ['X-Request-Id: lim-ok']), 200);
    assert.ok(backend.seen.some((s) => s.headers['x-request-id'] === 'lim-ok'));
  });

  test('a request line over 8192 bytes gets 414 and an H25 log line, and never reaches the dyno', async () => {
    assert.equal(await send(`GET /${'a'.repeat(8200)} HTTP/1.1`, ['X-Request-Id: lim-414']), 414);
    const line = await waitFor('the H25 log line', () => logLines().find((l) => l.includes('request_id=lim-414')));
    assert.match(line, /^at=error code=H25 desc="HTTP Restriction" .*status=414 /);
    assert.ok(!backend.seen.some((s) => s.headers['x-request-id'] === 'lim-414'));
  });

  test('a header value over 8192 bytes gets 431', async () => {
    assert.equal(await send('GET / HTTP/1.1', [`X-Big: ${'b'.repeat(8200)}`, 'X-Request-Id: lim-431']), 431);
    await waitFor('the H25 log line', () => logLines().find((l) => l.includes('request_id=lim-431') && l.includes('status=431')));
  });

  test('1001 headers get 431', async () => {
    assert.equal(await send('GET / HTTP/1.1', Array.from({ length: 1000 }, (_, i) => `X-H${i}: v`)), 431);
  });

  test('a head over what the parser takes gets 431 instead of a reset', async () => {
    assert.equal(await send('GET / HTTP/1.1', Array.from({ length: 10 }, (_, i) => `X-H${i}: ${'c'.repeat(8000)}`)), 431);
  });
});
