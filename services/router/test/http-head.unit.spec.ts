import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { countOf, isHeadError, parseRequestHead, parseResponseHead, requestFraming, responseFraming, valuesOf, type ParsedHead } from '../src/domain/http-head.js';
import { clientResponseHead, connectionHas, dynoRequestHead } from '../src/domain/head-rewrite.js';
import { limitBreach } from '../src/domain/limits.js';

function request(text: string): ParsedHead {
  const h = parseRequestHead(text);
  if (isHeadError(h)) throw new Error(h.error);
  return h;
}

function refused(text: string): string {
  const h = parseRequestHead(text);
  assert.ok(isHeadError(h), `expected a refusal for ${JSON.stringify(text)}`);
  return h.error;
}

describe('raw head parser', () => {
  test('given a plain request head, when parsed, then method, target, version and headers in order with lowercase names', () => {
    const h = request('GET /a?b=1 HTTP/1.1\r\nHost: App.localhost\r\nX-Thing:  spaced value \t\r\nACCEPT: */*');
    assert.deepEqual([h.method, h.target, h.minor, h.startLine], ['GET', '/a?b=1', 1, 'GET /a?b=1 HTTP/1.1'.length]);
    assert.deepEqual(h.raw, ['Host', 'App.localhost', 'X-Thing', 'spaced value', 'ACCEPT', '*/*']);
    assert.deepEqual(h.lower, ['host', 'x-thing', 'accept']);
    assert.equal(valuesOf(h, 'accept'), '*/*');
  });

  test('given header names in any case, when looked up, then they are one header; repeated ones are joined and counted', () => {
    const h = request('GET / HTTP/1.1\r\nhost: a\r\nX-Forwarded-For: 1.1.1.1\r\nx-forwarded-for: 2.2.2.2\r\nHOST: b');
    assert.equal(countOf(h, 'host'), 2, 'two Host headers are seen as two (the router answers 400)');
    assert.equal(valuesOf(h, 'x-forwarded-for'), '1.1.1.1, 2.2.2.2');
  });

  test('given HTTP/1.0, when parsed, then minor 0 (the router hands such requests to node:http)', () => {
    assert.equal(request('GET / HTTP/1.0\r\nHost: a').minor, 0);
  });

  test('given folded, malformed or smuggling-prone heads, when parsed, then each is refused', () => {
    assert.match(refused('GET / HTTP/1.1\r\nHost: a\r\nX-Long: one\r\n two'), /folded/);
    assert.match(refused('GET / HTTP/1.1\r\nHost: a\r\nNoColonHere'), /no colon/);
    assert.match(refused('GET / HTTP/1.1\r\nHost : a'), /not a token/);
    assert.match(refused('GET / HTTP/1.1\r\nHo(st: a'), /not a token/);
    assert.match(refused('GET / HTTP/1.1\r\nHost: a\nX-Smuggled: 1'), /bare CR, LF or NUL/);
    assert.match(refused('GET / HTTP/1.1\r\nHost: a\0b'), /bare CR, LF or NUL/);
    assert.match(refused('GET / HTTP/2.0\r\nHost: a'), /HTTP\/1\.0 and HTTP\/1\.1/);
    assert.match(refused('GET /a b HTTP/1.1\r\nHost: a'), /whitespace or control/);
    assert.match(refused('G@T / HTTP/1.1\r\nHost: a'), /not a token/);
    assert.match(refused('GET'), /request line/);
  });

  test('given heads at and over the limits, when checked with limitBreach, then 414 for the request line and 431 for headers', () => {
    const ok = request(`GET /${'a'.repeat(8192 - 'GET / HTTP/1.1'.length)} HTTP/1.1\r\nHost: a`);
    assert.equal(ok.startLine, 8192);
    assert.equal(limitBreach(ok.method, ok.target, '1.1', ok.raw), undefined);
    const long = request(`GET /${'a'.repeat(8193 - 'GET / HTTP/1.1'.length)} HTTP/1.1\r\nHost: a`);
    assert.equal(limitBreach(long.method, long.target, '1.1', long.raw)?.status, 414);
    const big = request(`GET / HTTP/1.1\r\nHost: a\r\nX-Big: ${'b'.repeat(8193)}`);
    assert.equal(limitBreach(big.method, big.target, '1.1', big.raw)?.status, 431);
    const many = request(`GET / HTTP/1.1\r\n${Array.from({ length: 1001 }, (_, i) => `X-${i}: v`).join('\r\n')}`);
    assert.equal(limitBreach(many.method, many.target, '1.1', many.raw)?.status, 431);
  });

  test('given request framings, when read, then chunked, a length, none, or an error for ambiguous ones', () => {
    assert.deepEqual(requestFraming(request('POST / HTTP/1.1\r\nTransfer-Encoding: Chunked')), { kind: 'chunked' });
    assert.deepEqual(requestFraming(request('POST / HTTP/1.1\r\nContent-Length: 12')), { kind: 'length', length: 12 });
    assert.deepEqual(requestFraming(request('POST / HTTP/1.1\r\nContent-Length: 12\r\ncontent-length: 12')), { kind: 'length', length: 12 });
    assert.deepEqual(requestFraming(request('POST / HTTP/1.1\r\nContent-Length: 0')), { kind: 'none' });
    assert.deepEqual(requestFraming(request('GET / HTTP/1.1\r\nHost: a')), { kind: 'none' });
    for (const bad of ['Content-Length: 1\r\nContent-Length: 2', 'Content-Length: -1', 'Content-Length: 1e3',
      'Transfer-Encoding: chunked\r\nContent-Length: 3', 'Transfer-Encoding: gzip, chunked']) {
      assert.ok(isHeadError(requestFraming(request(`POST / HTTP/1.1\r\n${bad}`))), bad);
    }
  });

  test('given responses, when their framing is read, then HEAD/1xx/204/304 have none, chunked, length, or until close', () => {
    const res = (text: string) => {
      const h = parseResponseHead(text);
      if (isHeadError(h)) throw new Error(h.error);
      return h;
    };
    assert.deepEqual(responseFraming(res('HTTP/1.1 200 OK\r\nContent-Length: 5'), 'HEAD'), { kind: 'none' });
    assert.deepEqual(responseFraming(res('HTTP/1.1 204 No Content'), 'GET'), { kind: 'none' });
    assert.deepEqual(responseFraming(res('HTTP/1.1 304 Not Modified\r\nContent-Length: 5'), 'GET'), { kind: 'none' });
    assert.deepEqual(responseFraming(res('HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked'), 'GET'), { kind: 'chunked' });
    assert.deepEqual(responseFraming(res('HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip'), 'GET'), { kind: 'close' });
    assert.deepEqual(responseFraming(res('HTTP/1.0 200 OK'), 'GET'), { kind: 'close' });
    assert.deepEqual(responseFraming(res('HTTP/1.1 200 OK\r\nContent-Length: 5'), 'GET'), { kind: 'length', length: 5 });
    assert.equal(res('HTTP/1.1 404 Not Found').target, 'Not Found');
    assert.ok(isHeadError(parseResponseHead('HTTP/1.1 2x0 OK')));
    // Number() reads these as 200 and 99: a status code is three digits, nothing else.
    assert.ok(isHeadError(parseResponseHead('HTTP/1.1 2e2 OK')));
    assert.ok(isHeadError(parseResponseHead('HTTP/1.1  99 OK')));
    assert.ok(isHeadError(parseResponseHead('HTTP/1.1 099 OK')));
    // More headers than the cap: refused, not relayed without the ones past it (Transfer-Encoding, say).
    assert.ok(!isHeadError(parseResponseHead(`HTTP/1.1 200 OK${'\r\nX-A: a'.repeat(1000)}`)));
    assert.ok(isHeadError(parseResponseHead(`HTTP/1.1 200 OK${'\r\nX-A: a'.repeat(1000)}\r\nTransfer-Encoding: chunked`)));
    assert.ok(isHeadError(parseResponseHead('ICY 200 OK')));
  });
});

describe('raw head rewrite', () => {
  test('given a client request, when rewritten for the dyno, then hop-by-hop and Connection-named headers go, Heroku\'s headers come', () => {
    const h = request('POST /x HTTP/1.1\r\nHost: a.localhost\r\nConnection: keep-alive, X-Drop\r\nX-Drop: 1\r\nKeep-Alive: 5\r\nTE: trailers\r\n' +
      'Proxy-Authorization: b\r\nUpgrade: foo\r\nX-Forwarded-For: 10.0.0.1\r\nX-Request-Id: spoof\r\nVia: 1.0 other\r\nTransfer-Encoding: chunked\r\nX-End: kept');
    const head = dynoRequestHead(h, { fwd: '10.0.0.1, 127.0.0.1', routerPort: 8080, requestId: 'rid', receivedAt: 1700000000000, chunked: true });
    assert.equal(head, 'POST /x HTTP/1.1\r\nHost: a.localhost\r\nX-End: kept\r\n' +
      'X-Forwarded-For: 10.0.0.1, 127.0.0.1\r\nX-Forwarded-Proto: http\r\nX-Forwarded-Port: 8080\r\nX-Request-Start: 1700000000000\r\n' +
      'X-Request-Id: rid\r\nVia: 1.0 other, 1.1 paas-router\r\nTransfer-Encoding: chunked\r\n\r\n');
  });

  test('given a dyno response, when rewritten for the client, then hop-by-hop go, framing stays, Via is appended, close is said when asked', () => {
    const h = parseResponseHead('HTTP/1.1 200 OK\r\nConnection: x-hop\r\nX-Hop: 1\r\nKeep-Alive: timeout=5\r\nProxy-Foo: p\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\nX-App: kept');
    assert.ok(!isHeadError(h));
    assert.equal(clientResponseHead(h, { chunked: true, close: false }),
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-App: kept\r\nVia: 1.1 paas-router\r\n\r\n');
    const plain = parseResponseHead('HTTP/1.0 200 OK\r\nContent-Length: 3\r\nVia: 1.1 app');
    assert.ok(!isHeadError(plain));
    assert.equal(clientResponseHead(plain, { chunked: false, close: true }),
      'HTTP/1.1 200 OK\r\nContent-Length: 3\r\nVia: 1.1 app, 1.1 paas-router\r\nConnection: close\r\n\r\n');
  });

  test('given Connection headers, when asked for a token, then it is found in any case and among others', () => {
    assert.ok(connectionHas(request('GET / HTTP/1.1\r\nConnection: Close'), 'close'));
    assert.ok(connectionHas(request('GET / HTTP/1.1\r\nConnection: keep-alive, Upgrade'), 'upgrade'));
    assert.ok(!connectionHas(request('GET / HTTP/1.1\r\nConnection: keep-alive'), 'close'));
  });
});
