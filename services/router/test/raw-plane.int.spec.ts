import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import { names, parseLogLines } from '@paas/contracts';
import { connectNats, RouteTable, type NatsConnection } from '@paas/messaging';
import { cleanup, freshNamespace, waitFor } from '@paas/testing';
import { dynoRoute, routerSettings, startBackend, startRouter, type Backend } from './harness.js';
import { RawClient } from './raw-client.js';

/** How many times `what` occurs in `text`. */
const count = (text: string, what: string) => text.split(what).length - 1;

describe('router raw data plane: keep-alive, pipelining, framings both ways, hand-over to node:http', () => {
  const ns = freshNamespace('rtrraw');
  const ids: Record<string, string> = {};
  const backends: Backend[] = [];
  const clients: RawClient[] = [];
  const logs: { subject: string; line: string }[] = [];
  let closer: Server;
  let router: { app: INestApplication; port: number };
  let nc: NatsConnection;
  let routes: RouteTable;
  const logLines = (app: string) => logs.filter((l) => l.subject === names(ns).logSubject(ids[app])).map((l) => l.line);

  async function app(name: string, port: number): Promise<void> {
    ids[name] = randomUUID();
    await routes.putApp({ appId: ids[name], appName: name, maintenance: false });
    await routes.putDyno(dynoRoute(ids[name], name, 1, port));
  }
  async function client(): Promise<RawClient> {
    const c = await RawClient.open(router.port);
    clients.push(c);
    return c;
  }

  before(async () => {
    nc = await connectNats(routerSettings(ns).messaging.natsUrl, 'router-raw-test');
    nc.subscribe(`${ns}.logs.>`, { callback: (_, m) => { for (const l of parseLogLines(m.string())) logs.push({ subject: m.subject, line: l.line }); } });
    routes = await RouteTable.open(nc, names(ns));
    // Echoes method, path and body; answers by the path for the no-body statuses and streams /stream.
    const echo = await startBackend('echo', (req, res) => {
      let body = '';
      req.setEncoding('latin1');
      req.on('data', (c: string) => (body += c));
      req.on('end', () => {
        if (req.url === '/204') return void res.writeHead(204).end();
        if (req.url === '/304') return void res.writeHead(304, { etag: '"v1"' }).end();
        if (req.url === '/stream') {
          res.write('part one;');
          return void setImmediate(() => res.end('part two'));
        }
        const text = `${req.method} ${req.url} ${body}|te=${req.headers['transfer-encoding'] ?? ''}`;
        res.writeHead(200, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(text) });
        res.end(req.method === 'HEAD' ? undefined : text);
      });
    });
    backends.push(echo);
    await app('echo', echo.port);
    // A dyno that answers without a length and closes: the body ends with the connection.
    closer = createServer((s: Socket) => {
      s.on('error', () => undefined);
      s.once('data', () => s.end('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end'));
    });
    await new Promise<void>((r) => closer.listen(0, '127.0.0.1', r));
    await app('closer', (closer.address() as { port: number }).port);
    router = await startRouter(routerSettings(ns));
  });

  after(async () => {
    for (const c of clients) c.destroy();
    await router?.app.close();
    for (const b of backends) await b.close();
    await new Promise((r) => closer?.close(r));
    await nc?.close();
    await cleanup({ namespace: ns });
  });

  test('pipelined requests on one keep-alive connection are answered in order, bodies included', async () => {
    const c = await client();
    c.socket.write('GET /one HTTP/1.1\r\nHost: echo.localhost\r\n\r\n' +
      'POST /two HTTP/1.1\r\nHost: echo.localhost\r\nContent-Length: 5\r\n\r\nhello' +
      'GET /three HTTP/1.1\r\nHost: echo.localhost\r\nX-Request-Id: raw-pipelined\r\n\r\n');
    const text = await c.until('three answers', (t) => t.includes('GET /three |te='));
    assert.equal(count(text, 'HTTP/1.1 200 OK'), 3);
    const one = text.indexOf('GET /one |te=');
    const two = text.indexOf('POST /two hello|te=');
    assert.ok(one >= 0 && two > one && text.indexOf('GET /three') > two, text);
    assert.ok(!c.closed, 'the connection stays open');
    await waitFor('the log line', () => logLines('echo').find((l) => l.includes('request_id=raw-pipelined') && /status=200 bytes=\d+ /.test(l)));
  });

  test('a chunked request body (with an extension, sent in parts) reaches the dyno whole, and the connection serves on', async () => {
    const c = await client();
    c.socket.write('POST /up HTTP/1.1\r\nHost: echo.localhost\r\nTransfer-Encoding: chunked\r\n\r\n4;ext=1\r\nabcd\r\n');
    await new Promise((r) => setImmediate(r));
    c.socket.write('3\r\nefg\r\n0\r\nX-Trailer: t\r\n\r\nGET /after HTTP/1.1\r\nHost: echo.localhost\r\n\r\n');
    const text = await c.until('both answers', (t) => t.includes('GET /after'));
    assert.match(text, /POST \/up abcdefg\|te=chunked/);
  });

  test('a chunked response is relayed with its framing and decodes to what the dyno wrote', async () => {
    const c = await client();
    c.socket.write('GET /stream HTTP/1.1\r\nHost: echo.localhost\r\n\r\n');
    const text = await c.until('the whole chunked body', (t) => t.endsWith('0\r\n\r\n'));
    assert.match(text, /transfer-encoding: chunked/i);
    const body = text.split('\r\n\r\n').slice(1).join('\r\n\r\n');
    assert.equal(body.replace(/(^|\r\n)[0-9a-f]+\r\n/g, ''), 'part one;part two\r\n');
  });

  test('a close-delimited response reaches the client whole, then the client connection is closed', async () => {
    const c = await client();
    c.socket.write('GET / HTTP/1.1\r\nHost: closer.localhost\r\nX-Request-Id: raw-closer\r\n\r\n');
    await c.untilClosed('the router to close the connection');
    const { status, headers, rest } = await c.head();
    assert.deepEqual([status, headers.connection, rest], [200, 'close', 'until the end']);
    await waitFor('the log line', () => logLines('closer').find((l) => l.includes('request_id=raw-closer') && l.includes('status=200 bytes=13 ')));
  });

  test('a connection closes whichever side ends first: the router after Connection: close, or the client between requests', async () => {
    // Clients that keep their side open after the router's FIN, so that each order of the two FINs is seen.
    const first = await RawClient.open(router.port, { allowHalfOpen: true });
    const second = await RawClient.open(router.port, { allowHalfOpen: true });
    clients.push(first, second);
    first.socket.write('GET /bye HTTP/1.1\r\nHost: echo.localhost\r\nConnection: close\r\n\r\n');
    await waitFor('the router to end its side after Connection: close', () => first.ended, { timeoutMs: 5000, intervalMs: 10 });
    const { status, headers, rest } = await first.head();
    assert.deepEqual([status, headers.connection, rest], [200, 'close', 'GET /bye |te=']);
    assert.equal(first.closed, false, 'the client has not ended its side yet');
    first.socket.end();
    // Well within the 5 s after which the sweep would cut a connection left open.
    await first.untilClosed('the connection closed after both ends', 2000);

    second.socket.write('GET /kept HTTP/1.1\r\nHost: echo.localhost\r\n\r\n');
    await second.until('the keep-alive answer', (t) => t.endsWith('GET /kept |te='));
    assert.equal(second.ended, false, 'a keep-alive connection stays open');
    second.socket.end();
    await waitFor('the router to end its side after the client\'s FIN', () => second.ended && second.closed, { timeoutMs: 2000, intervalMs: 10 });
    assert.deepEqual([...first.errors, ...second.errors], []);
  });

  test('HEAD, 204 and 304 answers carry no body and the connection goes on to the next request', async () => {
    const c = await client();
    c.socket.write('HEAD /h HTTP/1.1\r\nHost: echo.localhost\r\n\r\nGET /204 HTTP/1.1\r\nHost: echo.localhost\r\n\r\n' +
      'GET /304 HTTP/1.1\r\nHost: echo.localhost\r\n\r\nGET /last HTTP/1.1\r\nHost: echo.localhost\r\n\r\n');
    const text = await c.until('four answers', (t) => t.includes('GET /last |te='));
    const statuses = [...text.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => m[1]);
    assert.deepEqual(statuses, ['200', '204', '304', '200']);
    assert.match(text, /content-length: \d+\r\n[^]*?\r\n\r\nHTTP\/1\.1 204/i, 'the HEAD answer keeps its length and has no body');
  });

  test('an HTTP/1.0 request after a raw-served one on the same connection is handed to node:http and answered', async () => {
    const c = await client();
    c.socket.write('GET /first HTTP/1.1\r\nHost: echo.localhost\r\n\r\n');
    await c.until('the first answer', (t) => t.includes('GET /first'));
    c.socket.write('GET /old HTTP/1.0\r\nHost: echo.localhost\r\n\r\n');
    await c.untilClosed('the HTTP/1.0 answer to end the connection');
    assert.match(c.text(), /GET \/old \|te=/);
  });

  test('a head trickled in small pieces, then a pipelined one split across writes, are both served', async () => {
    const c = await client();
    c.socket.setNoDelay(true); // each piece its own segment
    const head = 'GET /trickled HTTP/1.1\r\nHost: echo.localhost\r\nX-Padding: ' + 'p'.repeat(300) + '\r\n\r\n';
    for (let i = 0; i < head.length; i += 7) {
      c.socket.write(head.slice(i, i + 7));
      await new Promise((r) => setImmediate(r));
    }
    await c.until('the trickled answer', (t) => t.includes('GET /trickled |te='));
    for (const piece of ['GET /split HTTP/1.1\r\nHost: echo.local', 'host\r\n\r', '\n']) {
      c.socket.write(piece);
      await new Promise((r) => setImmediate(r));
    }
    await c.until('the split answer', (t) => t.includes('GET /split |te='));
  });

  test('a malformed head gets 400 and the connection closed; two Host headers get 400', async () => {
    const bad = await client();
    bad.socket.write('GET / HTTP/1.1\r\nHost: echo.localhost\r\nX-Folded: a\r\n b\r\n\r\n');
    assert.equal((await bad.head()).status, 400);
    await bad.untilClosed('the connection to close');
    const twice = await client();
    twice.socket.write('GET / HTTP/1.1\r\nHost: echo.localhost\r\nHost: other.localhost\r\n\r\n');
    assert.match((await twice.head()).rest, /exactly one Host header/);
  });
});
