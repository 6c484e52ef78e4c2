import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import { names, parseLogLines } from '@paas/contracts';
import { connectNats, RouteTable, type NatsConnection } from '@paas/messaging';
import { cleanup, freshNamespace, waitFor } from '@paas/testing';
import { ProxyServer } from '../src/adapters/proxy-server.js';
import { dynoRoute, routerSettings, startRouter } from './harness.js';
import { RawClient } from './raw-client.js';

/**
 * Requests the differential cases send, each on its own connection; `{case}` becomes the case's
 * number (X-Case tells the dyno which case a head belongs to). Usual ones and ones the native
 * plane must hand over, malformed ones and smuggling attempts among them.
 */
const H = 'Host: diff.localhost\r\nX-Case: {case}\r\n';
const REQUESTS: string[] = [
  `GET / HTTP/1.1\r\n${H}Connection: close\r\n\r\n`,
  `GET /a/b?c=d&e=%20f HTTP/1.1\r\n${H}Accept: */*\r\nUser-Agent: t\r\nConnection: close\r\n\r\n`,
  `get /lower HTTP/1.1\r\n${H}Connection: close\r\n\r\n`,
  `GET / HTTP/1.1\r\n${H}X-Forwarded-For: 1.2.3.4, 5.6.7.8\r\nConnection: close\r\n\r\n`,
  `GET / HTTP/1.1\r\n${H}X-Forwarded-For: 1.2.3.4\r\nX-Forwarded-For:  , 9.9.9.9,,\r\nConnection: close\r\n\r\n`,
  `GET / HTTP/1.1\r\n${H}X-Forwarded-For: "quoted"\r\nConnection: close\r\n\r\n`,
  `GET / HTTP/1.1\r\n${H}Via: 1.0 a\r\nVia: 1.1 b, , 1.1 c\r\nConnection: close\r\n\r\n`,
  `GET / HTTP/1.1\r\n${H}X-Request-Id: abc-123_+/=\r\nConnection: close\r\n\r\n`,
  `GET / HTTP/1.1\r\n${H}X-Request-Id: not ok!\r\nConnection: close\r\n\r\n`,
  `GET / HTTP/1.1\r\n${H}X-Request-Id: ${'a'.repeat(201)}\r\nConnection: close\r\n\r\n`,
  `GET / HTTP/1.1\r\n${H}X-Request-Id: one\r\nX-Request-Id: two\r\nConnection: close\r\n\r\n`,
  `GET / HTTP/1.1\r\n${H}Connection: keep-alive, close\r\n\r\n`,
  `GET / HTTP/1.1\r\n${H}Connection: close, X-Secret\r\nX-Secret: s\r\nX-Kept: k\r\n\r\n`,
  `GET / HTTP/1.1\r\n${H}Keep-Alive: timeout=5\r\nTE: trailers\r\nTrailer: X-T\r\nProxy-Authorization: p\r\nProxy-Foo: f\r\nConnection: close\r\n\r\n`,
  `GET / HTTP/1.1\r\n${H}X-Forwarded-Proto: https\r\nX-Forwarded-Port: 1\r\nX-Request-Start: 5\r\nConnection: close\r\n\r\n`,
  `POST /len HTTP/1.1\r\n${H}Content-Length: 5\r\nConnection: close\r\n\r\nhello`,
  `POST /chunked HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n5\r\nhello\r\n0\r\n\r\n`,
  `POST /chunked-ext HTTP/1.1\r\n${H}Transfer-Encoding: Chunked\r\nConnection: close\r\n\r\n5;a=b\r\nhello\r\n0\r\nX-Trailer: t\r\n\r\n`,
  `POST /bad-chunk HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\nConnection: close\r\n\r\nzz\r\nhello\r\n0\r\n\r\n`,
  `POST /gzip HTTP/1.1\r\n${H}Transfer-Encoding: gzip, chunked\r\nConnection: close\r\n\r\n5\r\nhello\r\n0\r\n\r\n`,
  `POST /te-cl HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\nContent-Length: 5\r\nConnection: close\r\n\r\n5\r\nhello\r\n0\r\n\r\n`,
  `POST /two-cl HTTP/1.1\r\n${H}Content-Length: 5\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello`,
  `POST /cl-list HTTP/1.1\r\n${H}Content-Length: 5, 5\r\nConnection: close\r\n\r\nhello`,
  `POST /cl-differ HTTP/1.1\r\n${H}Content-Length: 5\r\nContent-Length: 6\r\nConnection: close\r\n\r\nhello!`,
  `POST /cl-plus HTTP/1.1\r\n${H}Content-Length: +5\r\nConnection: close\r\n\r\nhello`,
  `GET / HTTP/1.1\r\nX-Case: {case}\r\nConnection: close\r\n\r\n`,
  `GET / HTTP/1.1\r\n${H}Host: other.localhost\r\nConnection: close\r\n\r\n`,
  `GET / HTTP/1.1\r\nHost: DIFF.LOCALHOST:8080\r\nX-Case: {case}\r\nConnection: close\r\n\r\n`,
  `GET / HTTP/1.1\r\nHost: diff.localhost.\r\nX-Case: {case}\r\nConnection: close\r\n\r\n`,
  `GET / HTTP/1.1\r\nHost: nosuch.localhost\r\nX-Case: {case}\r\nConnection: close\r\n\r\n`,
  `GET / HTTP/1.1\r\n${H}X-Folded: a\r\n b\r\nConnection: close\r\n\r\n`,
  `GET / HTTP/1.1\r\n${H}X-Space : v\r\nConnection: close\r\n\r\n`,
  `GET / HTTP/1.1\r\n${H}X-Bare: a\rb\r\nConnection: close\r\n\r\n`,
  `GET / HTTP/1.1\r\n${H}X-Latin: caf\u00e9\r\nConnection: close\r\n\r\n`,
  `GET /quote"d HTTP/1.1\r\n${H}Connection: close\r\n\r\n`,
  `GET http://diff.localhost/abs HTTP/1.1\r\n${H}Connection: close\r\n\r\n`,
  `GET / HTTP/1.0\r\n${H}\r\n`,
  `OPTIONS * HTTP/1.1\r\n${H}Connection: close\r\n\r\n`,
  `HEAD / HTTP/1.1\r\n${H}Connection: close\r\n\r\n`,
  `\r\n\r\nGET /after-empty-lines HTTP/1.1\r\n${H}Connection: close\r\n\r\n`,
  `GET / HTTP/1.1\r\n${H}X-Tab: a\tb\r\nX-Empty:\r\nConnection: close\r\n\r\n`,
  `GET / HTTP/1.1\r\n${H}X-Long: ${'v'.repeat(8193)}\r\nConnection: close\r\n\r\n`,
  `GET / HTTP/1.1\r\n${H}X-Limit: ${'v'.repeat(8192)}\r\nConnection: close\r\n\r\n`,
  `GET /${'p'.repeat(8200)} HTTP/1.1\r\n${H}Connection: close\r\n\r\n`,
  `GET / HTTP/1.1\r\n${H}${'X-Many: m\r\n'.repeat(1000)}Connection: close\r\n\r\n`,
  `GET / HTTP/1.1\r\n${H}${'X-Some: m\r\n'.repeat(200)}Connection: close\r\n\r\n`,
  `GET / HTTP/2.0\r\n${H}Connection: close\r\n\r\n`,
  `GET  / HTTP/1.1\r\n${H}Connection: close\r\n\r\n`,
];

/** Responses the dyno gives for `GET /r/<n>`, raw: framings, hop-by-hop headers, interim answers, broken ones. */
const RESPONSES: string[] = [
  'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello',
  'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;x=y\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n',
  'HTTP/1.1 200 OK\r\nConnection: X-Secret, close\r\nX-Secret: s\r\nX-Kept: k\r\nContent-Length: 2\r\n\r\nok',
  'HTTP/1.1 200 OK\r\nKeep-Alive: timeout=5\r\nProxy-Foo: f\r\nTE: x\r\nTrailer: X-T\r\nUpgrade: h2c\r\nContent-Length: 2\r\n\r\nok',
  'HTTP/1.1 201 Created\r\nVia: 1.1 upstream, , 1.0 x\r\nVia: 1.1 more\r\nContent-Length: 2\r\n\r\nok',
  'HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\nContent-Length: 99\r\n\r\n2\r\nok\r\n0\r\n\r\n',
  'HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nuntil the dyno closes',
  'HTTP/1.0 200 OK\r\n\r\nHTTP/1.0 until close',
  'HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n',
  'HTTP/1.1 304 Not Modified\r\nETag: "v"\r\nContent-Length: 10\r\n\r\n',
  'HTTP/1.1 103 Early Hints\r\nLink: </s.css>; rel=preload\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok',
  'HTTP/1.1 200 OK\r\nContent-Length: 5, 5\r\n\r\nhello',
  'HTTP/1.1 200 OK\r\nContent-Length: abc\r\n\r\nhello',
  'HTTP/1.1 200\r\nContent-Length: 2\r\n\r\nok',
  'HTTP/1.1 2x0 Bad\r\nContent-Length: 2\r\n\r\nok',
  'HTTP/1.1 2e2 OK\r\nContent-Length: 2\r\n\r\nok',
  'HTTP/1.1 200 OK\r\nX-Folded: a\r\n b\r\nContent-Length: 2\r\n\r\nok',
  'HTTP/1.1 200 OK\r\nX-Latin: caf\u00e9\r\nContent-Length: 2\r\n\r\nok',
  'HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort',
  'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n',
  'HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\n\r\n',
  'SSH-2.0-not-http\r\n\r\n',
  'HTTP/1.1 200 OK\r\nx-lower: v\r\nX-Spaces:   padded   \r\nContent-Length: 2\r\n\r\nok',
];

/** The responses whose body ends with the dyno's close, or that are broken: the dyno closes after them. */
const CLOSE_AFTER = new Set([6, 7, 12, 14, 15, 18, 19, 20, 21]);

/** A message as compared: start line, headers (names lowercased, values trimmed) in order, body. */
function parsed(text: string): string {
  const end = text.indexOf('\r\n\r\n');
  if (end < 0) return `(no head) ${JSON.stringify(text)}`;
  const [start, ...lines] = text.slice(0, end).split('\r\n');
  const headers = lines.map((l) => {
    const i = l.indexOf(':');
    return `${l.slice(0, i).toLowerCase()}: ${l.slice(i + 1).trim()}`;
  });
  return [start, ...headers, '', text.slice(end + 4)].join('\n');
}

/** What differs between two routers by design: ports, times, fresh request ids. */
function normal(text: string): string {
  return text
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}/g, '<uuid>')
    .replace(/x-forwarded-port: \d+/gi, 'x-forwarded-port: <port>')
    .replace(/x-request-start: \d+/gi, 'x-request-start: <ms>')
    .replace(/(connect|service)=\d+ms/g, '$1=<ms>')
    .replace(/^date: .*$/gim, 'date: <date>');
}

/**
 * The dyno: records each request head with its body (by X-Case) and answers `/r/<n>` with
 * RESPONSES[n] (closing after a close-delimited one), anything else with 200 "ok".
 */
function recordingDyno(seen: Map<string, string>): Server {
  return createServer((s: Socket) => {
    let buf = '';
    s.setEncoding('latin1');
    s.on('error', () => undefined);
    s.on('data', (chunk: string) => {
      buf += chunk;
      for (;;) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buf.slice(0, end);
        const chunked = /\r\ntransfer-encoding: chunked/i.test(head);
        const length = Number(/\r\ncontent-length: (\d+)/i.exec(head)?.[1] ?? 0);
        let bodyEnd = end + 4 + length;
        if (chunked) {
          const last = buf.indexOf('\r\n0\r\n', end + 2);
          const close = last < 0 ? -1 : buf.indexOf('\r\n\r\n', last + 3);
          if (close < 0) return;
          bodyEnd = close + 4;
        }
        if (buf.length < bodyEnd) return;
        const kase = /\r\nx-case: (\d+)/i.exec(head)?.[1] ?? '?';
        seen.set(kase, `${head}\r\n\r\n${buf.slice(end + 4, bodyEnd)}`);
        buf = buf.slice(bodyEnd);
        const path = head.split(' ')[1] ?? '';
        const r = /^\/r\/(\d+)$/.exec(path);
        const answer = r ? RESPONSES[Number(r[1])] : 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok';
        s.write(Buffer.from(answer, 'latin1'));
        if (r && CLOSE_AFTER.has(Number(r[1]))) s.end();
      }
    });
  });
}

/**
 * A dyno that answers the first request on each connection and closes the connection when a
 * second one comes (as a dyno whose keep-alive timeout ran out just then): the router must send
 * a bodyless request again on a fresh connection.
 */
function staleDyno(): Server {
  return createServer((s: Socket) => {
    let requests = 0;
    let buf = '';
    s.setEncoding('latin1');
    s.on('error', () => undefined);
    s.on('data', (chunk: string) => {
      buf += chunk;
      while (buf.includes('\r\n\r\n')) {
        buf = buf.slice(buf.indexOf('\r\n\r\n') + 4);
        if (++requests > 1) return void s.destroy();
        s.write('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfirst');
      }
    });
  });
}

describe('router native data plane: the same answers as the TypeScript plane, and what it hands over', () => {
  const planes = ['native', 'raw'] as const;
  const ctx = planes.map((plane) => ({ plane, ns: freshNamespace(`rtrnat${plane}`), seen: new Map<string, string>(), logs: [] as string[] }));
  let nc: NatsConnection;
  const routers: { app: INestApplication; port: number }[] = [];
  const dynos: Server[] = [];
  const clients: RawClient[] = [];

  /** Sends `raw` on a new connection to router i; what came back once it closed (or 3 s passed). */
  async function exchange(i: number, raw: string): Promise<string> {
    const c = await RawClient.open(routers[i].port);
    clients.push(c);
    c.socket.write(Buffer.from(raw, 'latin1'));
    await waitFor('the router to close the connection', () => c.closed || undefined, { timeoutMs: 3000, intervalMs: 5 }).catch(() => undefined);
    c.destroy();
    return c.text();
  }

  before(async () => {
    nc = await connectNats(routerSettings(ctx[0].ns).messaging.natsUrl, 'router-native-test');
    for (const [i, x] of ctx.entries()) {
      nc.subscribe(`${x.ns}.logs.>`, { callback: (_, m) => { for (const l of parseLogLines(m.string())) x.logs.push(l.line); } });
      const dyno = recordingDyno(x.seen);
      dynos.push(dyno);
      const port = await new Promise<number>((resolve) => dyno.listen(0, '127.0.0.1', () => resolve((dyno.address() as { port: number }).port)));
      const routes = await RouteTable.open(nc, names(x.ns));
      const appId = `00000000-0000-4000-8000-00000000000${i}`;
      await routes.putApp({ appId, appName: 'diff', maintenance: false });
      await routes.putDyno({ ...dynoRoute(appId, 'diff', 1, port), dynoId: 'd1' });
      await routes.putApp({ appId: randomUUID(), appName: 'held', maintenance: true });
      const stale = staleDyno();
      dynos.push(stale);
      const stalePort = await new Promise<number>((resolve) => stale.listen(0, '127.0.0.1', () => resolve((stale.address() as { port: number }).port)));
      const staleId = randomUUID();
      await routes.putApp({ appId: staleId, appName: 'stale', maintenance: false });
      await routes.putDyno(dynoRoute(staleId, 'stale', 1, stalePort));
      routers.push(await startRouter(routerSettings(x.ns, { dataPlane: x.plane })));
    }
  });

  after(async () => {
    for (const c of clients) c.destroy();
    for (const r of routers) await r.app.close();
    for (const d of dynos) await new Promise((resolve) => d.close(resolve));
    await nc?.close();
    for (const x of ctx) await cleanup({ namespace: x.ns });
  });

  test('every request of the corpus: the dyno sees the same head and body, the client gets the same answer', async () => {
    for (const [n, template] of REQUESTS.entries()) {
      const raw = template.replaceAll('{case}', String(n));
      const answers = [await exchange(0, raw), await exchange(1, raw)];
      assert.equal(normal(parsed(answers[0])), normal(parsed(answers[1])), `case ${n}: the client's answer (${JSON.stringify(raw.slice(0, 80))})`);
      const seen = ctx.map((x) => x.seen.get(String(n)));
      assert.equal(seen[0] === undefined ? undefined : normal(parsed(seen[0])), seen[1] === undefined ? undefined : normal(parsed(seen[1])),
        `case ${n}: what the dyno saw (${JSON.stringify(raw.slice(0, 80))})`);
    }
  });

  test('every response of the corpus: the client gets the same answer, and the same log line is written', async () => {
    for (const [n] of RESPONSES.entries()) {
      const raw = `GET /r/${n} HTTP/1.1\r\nHost: diff.localhost\r\nX-Request-Id: resp-${n}\r\nConnection: close\r\n\r\n`;
      const answers = [await exchange(0, raw), await exchange(1, raw)];
      assert.equal(normal(parsed(answers[0])), normal(parsed(answers[1])), `response ${n}: ${JSON.stringify(RESPONSES[n].slice(0, 60))}`);
    }
    const lines = (x: (typeof ctx)[number]) => x.logs.filter((l) => l.includes('request_id=resp-')).map(normal);
    await waitFor('every response\'s log line from both routers', () =>
      ctx.every((x) => lines(x).length === RESPONSES.length) || undefined, { timeoutMs: 5000, intervalMs: 20 });
    assert.deepEqual(lines(ctx[0]).sort(), lines(ctx[1]).sort());
  });

  test('a bodyless request on a pooled connection the dyno closes as it arrives is sent again on a fresh one, by both planes', async () => {
    for (const i of [0, 1]) {
      for (const path of ['/a', '/b', '/c']) {
        const answer = await exchange(i, `GET ${path} HTTP/1.1\r\nHost: stale.localhost\r\nConnection: close\r\n\r\n`);
        assert.match(answer, /^HTTP\/1\.1 200 OK\r\n[^]*\r\n\r\nfirst$/, `${ctx[i].plane} ${path}: ${answer.slice(0, 200)}`);
      }
    }
  });

  test('usual requests are served by the native plane itself; upgrades, HTTP/1.0 and apps it does not serve are handed over', async () => {
    const stats = () => routers[0].app.get(ProxyServer).nativeStats()!;
    const before = stats();
    // Three requests on one keep-alive connection, then an HTTP/1.0 one on the same connection: handed over mid-way and still answered.
    const c = await RawClient.open(routers[0].port);
    clients.push(c);
    c.socket.write('GET /1 HTTP/1.1\r\nHost: diff.localhost\r\n\r\nGET /2 HTTP/1.1\r\nHost: diff.localhost\r\n\r\n');
    await c.until('two answers', (t) => t.split('HTTP/1.1 200').length - 1 === 2);
    c.socket.write('POST /3 HTTP/1.1\r\nHost: diff.localhost\r\nContent-Length: 2\r\n\r\nhi');
    await c.until('three answers', (t) => t.split('HTTP/1.1 200').length - 1 === 3);
    assert.equal(stats().requests - before.requests, 3);
    assert.equal(stats().handedOver - before.handedOver, 0);
    c.socket.write('GET /4 HTTP/1.0\r\nHost: diff.localhost\r\n\r\n');
    await c.untilClosed('the HTTP/1.0 answer and the close');
    assert.match(c.text(), /HTTP\/1\.1 200 OK[^]*\r\n\r\nok$/);
    assert.equal(stats().handedOver - before.handedOver, 1);
    // An app in maintenance and an unknown host are the TypeScript plane's (H80 page, 404).
    assert.match(await exchange(0, 'GET / HTTP/1.1\r\nHost: held.localhost\r\nConnection: close\r\n\r\n'), /^HTTP\/1\.1 503 [^]*Maintenance/);
    assert.match(await exchange(0, 'GET / HTTP/1.1\r\nHost: nosuch.localhost\r\nConnection: close\r\n\r\n'), /^HTTP\/1\.1 404 /);
    assert.equal(stats().handedOver - before.handedOver, 3);
  });
});
