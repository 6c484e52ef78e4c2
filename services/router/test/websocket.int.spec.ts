import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import { names, parseLogLines } from '@paas/contracts';
import { connectNats, RouteTable, type NatsConnection } from '@paas/messaging';
import { cleanup, freshNamespace, waitFor } from '@paas/testing';
import { dynoRoute, routerSettings, startRouter } from './harness.js';
import { RawClient, upgradeRequest, wsAccept, wsKey } from './raw-client.js';

/** A dyno speaking WebSocket by hand: /deny declines, /quiet goes silent after 101, anything else echoes. */
async function wsBackend(seen: IncomingHttpHeaders[], sockets: Set<Socket>): Promise<{ server: Server; port: number }> {
  const server = createServer((_req, res) => res.end('plain'));
  server.on('upgrade', (req, socket: Socket) => {
    seen.push(req.headers);
    sockets.add(socket);
    socket.on('error', () => undefined);
    if (req.url === '/deny') return socket.end('HTTP/1.1 403 Forbidden\r\ncontent-length: 4\r\nconnection: close\r\n\r\nnope');
    const key = String(req.headers['sec-websocket-key']);
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${wsAccept(key)}\r\n\r\n`);
    if (req.url === '/quiet') return;
    socket.write('hi;');
    socket.on('data', (d: Buffer) => socket.write(Buffer.concat([Buffer.from('echo:'), d, Buffer.from(';')])));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.address() as AddressInfo).port };
}

describe('router WebSockets: upgrade proxied to a dyno, bytes piped both ways, H14/H15, declined upgrades relayed', () => {
  const ns = freshNamespace('rtrws');
  const ids: Record<string, string> = {};
  const seen: IncomingHttpHeaders[] = [];
  const logs: { subject: string; line: string }[] = [];
  const clients: RawClient[] = [];
  const dynoSockets = new Set<Socket>();
  let backend: { server: Server; port: number };
  let router: { app: INestApplication; port: number };
  let nc: NatsConnection;
  let routes: RouteTable;
  const logLines = (app: string) => logs.filter((l) => l.subject === names(ns).logSubject(ids[app])).map((l) => l.line);

  async function open(host: string, path = '/', extra: Record<string, string> = {}): Promise<{ c: RawClient; key: string }> {
    const c = await RawClient.open(router.port);
    clients.push(c);
    const key = wsKey();
    c.socket.write(upgradeRequest(host, key, path, extra));
    return { c, key };
  }

  before(async () => {
    nc = await connectNats(routerSettings(ns).messaging.natsUrl, 'router-ws-test');
    nc.subscribe(`${ns}.logs.>`, { callback: (_, m) => { for (const l of parseLogLines(m.string())) logs.push({ subject: m.subject, line: l.line }); } });
    routes = await RouteTable.open(nc, names(ns));
    backend = await wsBackend(seen, dynoSockets);
    for (const name of ['chat', 'empty']) {
      ids[name] = randomUUID();
      await routes.putApp({ appId: ids[name], appName: name, maintenance: false });
    }
    await routes.putDyno(dynoRoute(ids.chat, 'chat', 1, backend.port));
    router = await startRouter(routerSettings(ns, { idleTimeoutMs: 1000 }));
  });

  after(async () => {
    for (const c of clients) c.destroy();
    await router?.app.close();
    for (const s of dynoSockets) s.destroy();
    backend?.server.closeAllConnections();
    await new Promise((r) => backend?.server.close(r));
    await nc?.close();
    await cleanup({ namespace: ns });
  });

  test('the dyno\'s 101 reaches the client and bytes are echoed both ways through the router', async () => {
    const { c, key } = await open('chat.localhost', '/socket', { 'X-Request-Id': 'ws-one' });
    const head = await c.head();
    assert.equal(head.status, 101);
    assert.equal(head.headers['sec-websocket-accept'], wsAccept(key));
    assert.match(head.headers.connection, /upgrade/i);
    assert.equal(head.headers.upgrade, 'websocket');
    await c.until('the dyno\'s first bytes', (t) => t.endsWith('hi;'));
    c.socket.write('ping');
    await c.until('the echo of ping', (t) => t.endsWith('echo:ping;'));
    c.socket.write(Buffer.from([0x81, 0x00, 0xff]));
    await c.until('the echo of binary bytes', (t) => t.endsWith(`echo:${Buffer.from([0x81, 0x00, 0xff]).toString('latin1')};`));
    const h = seen.find((s) => s['x-request-id'] === 'ws-one')!;
    assert.equal(h.upgrade, 'websocket');
    assert.match(String(h.connection), /upgrade/i);
    assert.equal(h['x-forwarded-for'], '127.0.0.1');
    assert.equal(h['x-forwarded-proto'], 'http');
    assert.equal(h['x-forwarded-port'], String(router.port));
    assert.match(String(h['x-request-start']), /^\d{13}$/);
    assert.equal(h.via, '1.1 paas-router');
    assert.equal(h['sec-websocket-key'], key);
    const line = await waitFor('the upgrade log line', () => logLines('chat').find((l) => l.includes('request_id=ws-one')));
    assert.match(line, /^at=info method=GET path="\/socket" host=chat\.localhost .* dyno=web\.1 .*status=101 /);
    c.destroy();
  });

  test('a dyno that declines the upgrade gets its answer relayed and the connection closed', async () => {
    const { c } = await open('chat.localhost', '/deny', { 'X-Request-Id': 'ws-deny' });
    const head = await c.head();
    assert.equal(head.status, 403);
    await c.untilClosed('the connection to close after the declined upgrade');
    assert.equal(c.text().split('\r\n\r\n')[1], 'nope');
    await waitFor('the 403 log line', () => logLines('chat').find((l) => l.includes('request_id=ws-deny') && l.includes('status=403')));
  });

  test('an app without up web dynos gets the H14 answer on the raw socket', async () => {
    const { c } = await open('empty.localhost', '/', { 'X-Request-Id': 'ws-h14' });
    const head = await c.head();
    assert.equal(head.status, 503);
    await c.untilClosed('the connection to close after H14');
    assert.match(c.text(), /H14: No web processes running/);
    await waitFor('the H14 log line', () => logLines('empty').find((l) => l.startsWith('at=error code=H14') && l.includes('request_id=ws-h14')));
  });

  test('a tunnel where nothing moves for the idle timeout is cut on both sides with H15', async () => {
    const { c } = await open('chat.localhost', '/quiet', { 'X-Request-Id': 'ws-quiet' });
    assert.equal((await c.head()).status, 101);
    await c.untilClosed('the idle tunnel to be cut');
    await waitFor('the H15 log line', () => logLines('chat').find((l) => l.startsWith('at=error code=H15 desc="Idle connection"') && l.includes('request_id=ws-quiet')));
  });
});
