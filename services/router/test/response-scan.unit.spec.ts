import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isHeadError, parseResponseHead, responseFraming, responseFramingOf } from '../src/domain/http-head.js';
import { clientResponseHead, connectionHas } from '../src/domain/head-rewrite.js';
import { responseHeadBytes, scanResponseHead } from '../src/domain/response-scan.js';

/** A head as it comes from a dyno, with its CRLF CRLF, and where that starts. */
function bytes(head: string): [Buffer, number] {
  return [Buffer.from(`${head}\r\n\r\nbody`, 'latin1'), head.length];
}

const REWRITES = [{ chunked: false, close: false }, { chunked: false, close: true }, { chunked: true, close: false }, { chunked: true, close: true }];

describe('response heads scanned from their bytes', () => {
  test('given usual heads, when scanned, then status, framing, Connection and every rewrite are what the long way gives', () => {
    const heads = [
      'HTTP/1.1 200 OK',
      'HTTP/1.1 200 OK\r\nDate: Mon, 07 Dec 2026 18:18:48 GMT\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\nContent-Length: 13',
      'HTTP/1.1 404 Not Found\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: 9\r\nConnection: close',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-App: kept\r\nTE: trailers\r\nTrailer: X-Sum\r\nUpgrade: h2c',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\nContent-Length: 3',
      'HTTP/1.1 200 OK\r\nContent-Length: 5, 5\r\nconnection: Keep-Alive, CLOSE\r\nset-cookie: a=1\r\nSet-Cookie: b=2',
      'HTTP/1.1 204 No Content\r\nContent-Length: 7',
      'HTTP/1.1 304 Not Modified\r\nETag: "v1"',
      'HTTP/1.1 302 Found\r\nLocation: /elsewhere',
      'HTTP/1.1 500 Internal Server Error\r\nContent-Length: nope',
      'HTTP/1.1 200 OK\r\nX-Proxyish: not a proxy- header\r\nX-Via: not via\r\nKeep-Alive-Not: kept\r\nContent-Length: 2',
      'HTTP/1.1 200 OK\r\nX-Latin1: caf\u00e9\r\nContent-Length: 0',
      'HTTP/1.1 200 OK\r\nContent-Length: 007', 'HTTP/1.1 200 OK\r\nContent-Length: 1234567890123',
    ];
    for (const text of heads) {
      const [buf, end] = bytes(text);
      const scan = scanResponseHead(buf, end);
      assert.ok(scan, `scanned: ${JSON.stringify(text)}`);
      const h = parseResponseHead(text);
      assert.ok(!isHeadError(h));
      assert.equal(scan.status, h.status, text);
      for (const method of ['GET', 'HEAD']) {
        assert.deepEqual(responseFramingOf(scan.status, method, scan.te, scan.cl), responseFraming(h, method), `${method} ${text}`);
      }
      assert.deepEqual([scan.close, scan.keepAlive], [connectionHas(h, 'close'), connectionHas(h, 'keep-alive')], text);
      for (const o of REWRITES) {
        const [out, length] = responseHeadBytes(buf, scan, o, 4);
        assert.equal(out.length, length + 4, 'room for the body bytes after the head');
        assert.equal(out.toString('latin1', 0, length), clientResponseHead(h, o), `${JSON.stringify(o)} ${text}`);
      }
    }
  });

  test('given a header with odd spacing, when rewritten, then it goes on as it came, and reads as the long way reads it', () => {
    const text = 'HTTP/1.1 200 OK\r\nX-Spaced:   value \t\r\nContent-Length:3\r\nKeep-Alive: timeout=5';
    const [buf, end] = bytes(text);
    const scan = scanResponseHead(buf, end)!;
    assert.equal(scan.cl, '3');
    const [out, length] = responseHeadBytes(buf, scan, { chunked: false, close: false }, 0);
    const sent = out.toString('latin1', 0, length);
    assert.equal(sent, 'HTTP/1.1 200 OK\r\nX-Spaced:   value \t\r\nContent-Length:3\r\nVia: 1.1 paas-router\r\n\r\n');
    const first = parseResponseHead(text);
    assert.ok(!isHeadError(first));
    const received = parseResponseHead(sent.slice(0, -4));
    const longWay = parseResponseHead(clientResponseHead(first, { chunked: false, close: false }).slice(0, -4));
    assert.ok(!isHeadError(received) && !isHeadError(longWay));
    assert.deepEqual(received.raw, longWay.raw, 'the client reads the same headers and values');
  });

  test('given heads the scan leaves to the long way, when scanned, then undefined (and the long way parses or refuses them)', () => {
    const longWay = [
      'HTTP/1.0 200 OK\r\nContent-Length: 3', // HTTP/1.0
      'HTTP/1.1 100 Continue', 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket', // interim and upgrade
      'HTTP/1.1 200 OK\r\nVia: 1.1 app', 'HTTP/1.1 200 OK\r\nProxy-Foo: p', // Via appended to, Proxy-* dropped
      'HTTP/1.1 200 OK\r\nConnection: x-hop\r\nX-Hop: 1', // Connection naming a header
      'HTTP/1.1 200', // no reason phrase: the long way writes it
      'HTTP/1.1 2x0 OK', 'HTTP/1.1 200OK', 'HTTP/2 200 OK', // not a status line
      'HTTP/1.1 200 OK\r\n folded: x', 'HTTP/1.1 200 OK\r\nX-Bad : x', 'HTTP/1.1 200 OK\r\nNo colon here', 'HTTP/1.1 200 OK\r\n: no name',
      'HTTP/1.1 200 OK\r\nX-Bare: a\rb', 'HTTP/1.1 200 OK\r\nX-Bare: a\nb', 'HTTP/1.1 200 OK\r\nX-Nul: a\0b', 'HTTP/1.1 200 O\rK',
      `HTTP/1.1 200 OK${'\r\nX-Many: 1'.repeat(1001)}`, // more than parseResponseHead reads
    ];
    for (const text of longWay) {
      const [buf, end] = bytes(text);
      assert.equal(scanResponseHead(buf, end), undefined, JSON.stringify(text.slice(0, 80)));
    }
    for (const text of longWay.slice(10, 18)) assert.ok(isHeadError(parseResponseHead(text)), `the long way refuses ${JSON.stringify(text)}`);
  });
});
