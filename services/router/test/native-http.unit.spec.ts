import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { nativeBinding, type NativeBinding } from '../src/adapters/native/native-plane.js';
import { ChunkedTracker } from '../src/domain/chunked.js';
import { forwardedFor } from '../src/domain/forward-headers.js';
import { clientResponseHead, connectionHas, dynoRequestHead } from '../src/domain/head-rewrite.js';
import { countOf, isHeadError, parseRequestHead, parseResponseHead, requestFraming, responseFraming, valuesOf } from '../src/domain/http-head.js';
import { limitBreach } from '../src/domain/limits.js';
import { requestIdFor } from '../src/domain/request-id.js';

/**
 * The native plane's C reader against the TypeScript one, on thousands of heads mutated at random
 * (a fixed seed, so a failure repeats): whatever the C reader takes, the TypeScript plane must take
 * too and rewrite byte for byte the same (a request it takes and TypeScript would refuse or hand
 * over is how requests get smuggled); it may hand over more. Responses cannot be handed over, so
 * there the two must agree both ways. Chunked framing: the same ends for the same bytes, however cut.
 */

const binding = nativeBinding();
const native = binding as NativeBinding;

/** mulberry32: a small seeded PRNG. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PIECES = [' ', '\t', '\r', '\n', '\r\n', ':', ',', ', ', '\0', '\x7f', '\xe9', '"', '\\', 'chunked', 'close', 'keep-alive',
  'upgrade', '0', '5', '-1', '+', ';', 'HTTP/1.0', 'Transfer-Encoding: chunked\r\n', 'Content-Length: 3\r\n', 'Content-Length: 3, 3\r\n',
  'Host: a.localhost\r\n', 'Connection: close, upgrade\r\n', 'Connection: x-foo\r\n', 'Expect: 100-continue\r\n', 'X-Request-Id: ab/c=\r\n',
  'X-Request-Id: a b\r\n', 'X-Forwarded-For: ,1.1.1.1 ,\r\n', 'Via: \r\n', 'Via: 1.0 x,,\r\n', 'Proxy-X: 1\r\n', 'Keep-Alive: 1\r\n',
  'Upgrade: websocket\r\n', 'TE: trailers\r\n', 'Transfer-Encoding: gzip, chunked\r\n', 'Content-Length: abc\r\n', 'X-Forwarded-Proto: https\r\n', '2e2', 'e'];

/** `base` with 1 to 3 random edits: bytes inserted, dropped, replaced, lines repeated, letter case flipped. */
function mutate(base: string, rnd: () => number): string {
  let s = base;
  const edits = 1 + Math.floor(rnd() * 3);
  for (let e = 0; e < edits; e++) {
    const at = Math.floor(rnd() * (s.length + 1));
    switch (Math.floor(rnd() * 6)) {
      case 0: s = s.slice(0, at) + PIECES[Math.floor(rnd() * PIECES.length)] + s.slice(at); break;
      case 1: s = s.slice(0, at) + s.slice(at + 1); break;
      case 2: s = s.slice(0, at) + String.fromCharCode(Math.floor(rnd() * 256)) + s.slice(at + 1); break;
      case 3: {
        const lines = s.split('\r\n');
        const i = 1 + Math.floor(rnd() * Math.max(1, lines.length - 3));
        lines.splice(i, 0, lines[i] ?? '');
        s = lines.join('\r\n');
        break;
      }
      case 4: {
        const c = s.charCodeAt(at);
        if (c >= 97 && c <= 122) s = s.slice(0, at) + String.fromCharCode(c - 32) + s.slice(at + 1);
        else if (c >= 65 && c <= 90) s = s.slice(0, at) + String.fromCharCode(c + 32) + s.slice(at + 1);
        break;
      }
      default: {
        const lineStart = s.indexOf('\r\n', at);
        if (lineStart > 0) s = s.slice(0, lineStart + 2) + PIECES[23 + Math.floor(rnd() * (PIECES.length - 23))] + s.slice(lineStart + 2);
      }
    }
  }
  return s;
}

const REQUESTS = [
  'GET / HTTP/1.1\r\nHost: app.localhost\r\n\r\n',
  'GET /a/b?c=d HTTP/1.1\r\nHost: app.localhost:8080\r\nAccept: */*\r\nUser-Agent: curl/8\r\n\r\n',
  'POST /x HTTP/1.1\r\nHost: app.localhost\r\nContent-Length: 5\r\nContent-Type: text/plain\r\n\r\n',
  'PUT /y HTTP/1.1\r\nHost: app.localhost\r\nTransfer-Encoding: chunked\r\nConnection: keep-alive\r\n\r\n',
  'GET / HTTP/1.1\r\nHost: app.localhost\r\nX-Forwarded-For: 1.2.3.4, 5.6.7.8\r\nVia: 1.0 edge\r\nX-Request-Id: abc-123\r\n\r\n',
  'DELETE /z HTTP/1.1\r\nHost: www.example.com\r\nConnection: close\r\nCookie: a=b; c=d\r\n\r\n',
  'HEAD / HTTP/1.1\r\nHost: app.localhost\r\nKeep-Alive: timeout=5\r\nTE: trailers\r\nProxy-Authorization: x\r\n\r\n',
  'OPTIONS /o HTTP/1.1\r\nHost: app.localhost\r\nX-Request-Start: 1\r\nX-Forwarded-Proto: https\r\nX-Forwarded-Port: 443\r\n\r\n',
];

const RESPONSES = [
  'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\n',
  'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: keep-alive\r\n\r\n',
  'HTTP/1.1 404 Not Found\r\nConnection: X-Secret, close\r\nX-Secret: s\r\nContent-Length: 0\r\n\r\n',
  'HTTP/1.0 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\n',
  'HTTP/1.1 304 Not Modified\r\nETag: "v"\r\nVia: 1.1 a, 1.0 b\r\nKeep-Alive: timeout=5\r\n\r\n',
  'HTTP/1.1 103 Early Hints\r\nLink: </s.css>; rel=preload\r\n\r\n',
  'HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\nProxy-Foo: f\r\nTrailer: X\r\nUpgrade: h2\r\n\r\n',
  'HTTP/1.1 500 Internal Server Error\r\nContent-Length: 7, 7\r\nSet-Cookie: a=b\r\nSet-Cookie: c=d\r\n\r\n',
];

const RECEIVED_AT = 1_700_000_000_000;

/** What the TypeScript raw plane does with a request head (client-connection.ts startRequest): the dyno's head, or why not. */
function typescriptRequest(text: string): { head: string; kind: string; length: number } | 'refused' | 'handed over' | 'incomplete' {
  let skip = 0;
  while (text.startsWith('\r\n', skip)) skip += 2;
  const end = text.indexOf('\r\n\r\n', skip);
  if (end < 0) return 'incomplete';
  const h = parseRequestHead(text.slice(skip, end));
  if (isHeadError(h)) return 'refused';
  const framing = requestFraming(h);
  if (h.minor === 0 || isHeadError(framing) || h.method === 'CONNECT' || countOf(h, 'expect') > 0 ||
    (connectionHas(h, 'upgrade') && countOf(h, 'upgrade') > 0)) return 'handed over';
  if (countOf(h, 'host') !== 1 || limitBreach(h.method, h.target, '1.1', h.raw)) return 'refused';
  const xff = valuesOf(h, 'x-forwarded-for');
  const fwd = xff === undefined ? '127.0.0.1' : forwardedFor({ 'x-forwarded-for': xff }, '127.0.0.1');
  const requestId = requestIdFor(countOf(h, 'x-request-id') === 1 ? valuesOf(h, 'x-request-id') : undefined, () => 'generated-id');
  const head = dynoRequestHead(h, { fwd, routerPort: 8080, requestId, receivedAt: RECEIVED_AT, chunked: framing.kind === 'chunked' });
  return { head, kind: framing.kind, length: framing.kind === 'length' ? framing.length : 0 };
}

const KINDS = ['none', 'length', 'chunked', 'close'];

/** What the TypeScript raw plane does with a response head (response.ts readHead, the long way), or null for H13. */
function typescriptResponse(text: string, headRequest: boolean, closeWanted: boolean) {
  const h = parseResponseHead(text.slice(0, text.indexOf('\r\n\r\n')));
  if (isHeadError(h) || h.status === 101) return null;
  if (h.status < 200) return { head: clientResponseHead(h, { chunked: false, close: false }), status: h.status, kind: 'none', length: 0, interim: 1 };
  const framing = responseFraming(h, headRequest ? 'HEAD' : 'GET');
  if (isHeadError(framing)) return null;
  const closeClient = framing.kind === 'close' || closeWanted;
  return {
    head: clientResponseHead(h, { chunked: framing.kind === 'chunked', close: closeClient }),
    status: h.status, kind: framing.kind, length: framing.kind === 'length' ? framing.length : 0, interim: 0,
    keepAlive: !connectionHas(h, 'close') && (h.minor === 1 || connectionHas(h, 'keep-alive')), closeClient,
  };
}

describe('native data plane, pure parts: the same reading as the TypeScript plane', { skip: binding instanceof Error ? binding.message : false }, () => {
  test('4000 mutated request heads: what the C reader takes, TypeScript takes and rewrites byte for byte the same', () => {
    const rnd = prng(20261207);
    let taken = 0;
    let typescriptServes = 0;
    for (let i = 0; i < 4000; i++) {
      const text = mutate(REQUESTS[i % REQUESTS.length]!, rnd);
      const ts = typescriptRequest(text);
      if (ts === 'incomplete') continue;
      const c = native.rewriteRequest(Buffer.from(text, 'latin1'), '127.0.0.1', 8080, RECEIVED_AT, 'generated-id');
      if (typeof ts === 'object') typescriptServes++;
      if (c === null) continue;
      taken++;
      assert.equal(typeof ts, 'object', `the C reader took a head TypeScript ${String(ts)}: ${JSON.stringify(text)}`);
      if (typeof ts !== 'object') continue;
      assert.equal(c.head, ts.head, `the dyno's head differs for ${JSON.stringify(text)}`);
      assert.equal(KINDS[c.kind], ts.kind, `the body framing differs for ${JSON.stringify(text)}`);
      assert.equal(c.length, ts.length, `the body length differs for ${JSON.stringify(text)}`);
    }
    // The comparison means something only if the C reader serves most of what TypeScript would.
    assert.ok(taken > 1000 && taken >= typescriptServes * 0.7, `the C reader took ${taken} of the ${typescriptServes} heads TypeScript serves`);
  });

  test('4000 mutated response heads: both readers agree whether it is HTTP to relay, and on the head and framing the client gets', () => {
    const rnd = prng(7);
    let relayed = 0;
    for (let i = 0; i < 4000; i++) {
      const text = mutate(RESPONSES[i % RESPONSES.length]!, rnd);
      if (!text.includes('\r\n\r\n')) continue;
      const headRequest = rnd() < 0.2;
      const closeWanted = rnd() < 0.3;
      const ts = typescriptResponse(text, headRequest, closeWanted);
      const c = native.rewriteResponse(Buffer.from(text, 'latin1'), headRequest, closeWanted);
      assert.equal(c === null, ts === null, `one reader relays and the other does not (C: ${c === null ? 'H13' : 'relays'}): ${JSON.stringify(text)}`);
      if (c === null || ts === null) continue;
      relayed++;
      assert.equal(c.head, ts.head, `the client's head differs for ${JSON.stringify(text)}`);
      assert.deepEqual([c.status, KINDS[c.kind], c.length, c.interim], [ts.status, ts.kind, ts.length, ts.interim], JSON.stringify(text));
      if (!ts.interim) assert.deepEqual([c.keepAlive, c.closeClient], [Number(ts.keepAlive), Number(ts.closeClient)], JSON.stringify(text));
    }
    assert.ok(relayed > 1000, `only ${relayed} responses were relayable`);
  });

  test('a response head of 1000 headers is relayed by both, one of 1001 by neither (no head is relayed without its last headers)', () => {
    for (const n of [1000, 1001]) {
      const text = `HTTP/1.1 200 OK\r\n${'X-A: a\r\n'.repeat(n - 1)}Content-Length: 2\r\n\r\n`;
      const c = native.rewriteResponse(Buffer.from(text, 'latin1'), false, false);
      assert.equal(c === null, n > 1000, `C reader, ${n} headers`);
      assert.equal(typescriptResponse(text, false, false) === null, n > 1000, `TypeScript reader, ${n} headers`);
    }
  });

  test('3000 chunked bodies, valid and mutated, cut at random: the same ends and data bytes as ChunkedTracker', () => {
    const rnd = prng(99);
    for (let i = 0; i < 3000; i++) {
      let body = '';
      const chunks = Math.floor(rnd() * 4);
      for (let k = 0; k < chunks; k++) {
        const data = 'x'.repeat(1 + Math.floor(rnd() * 20));
        body += `${data.length.toString(16)}${rnd() < 0.2 ? ';ext=1' : ''}\r\n${data}\r\n`;
      }
      body += `0\r\n${rnd() < 0.3 ? 'X-Trailer: t\r\n' : ''}\r\n${rnd() < 0.3 ? 'GET /next HTTP/1.1\r\n' : ''}`;
      if (rnd() < 0.5) body = mutate(body, rnd);
      const bytes = Buffer.from(body, 'latin1');
      const cuts = [...new Set(Array.from({ length: Math.floor(rnd() * 4) }, () => Math.floor(rnd() * bytes.length)))].sort((a, b) => a - b);
      const tracker = new ChunkedTracker();
      const expected: number[] = [];
      let from = 0;
      for (const to of [...cuts, bytes.length]) {
        expected.push(tracker.feed(bytes, from, to));
        from = to;
      }
      expected.push(tracker.data);
      assert.deepEqual(native.chunkedEnds(bytes, cuts), expected, `${JSON.stringify(body)} cut at ${cuts.join(',')}`);
    }
  });
});
