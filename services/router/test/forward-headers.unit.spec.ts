import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { downstreamHeaders, upstreamHeaders, VIA, withoutHopByHop } from '../src/domain/forward-headers.js';

const facts = { clientAddress: '127.0.0.7', routerPort: 8080, requestId: 'req-1', receivedAt: 1700000000123, protocol: 'http' as const };

describe('headers towards the dyno', () => {
  test('given a plain request, when forwarded, then Heroku\'s X-Forwarded-*, X-Request-* and Via are added', () => {
    const h = upstreamHeaders({ host: 'a.localhost:8080', accept: 'text/html' }, facts);
    assert.deepEqual(h, {
      host: 'a.localhost:8080', accept: 'text/html',
      'x-forwarded-for': '127.0.0.7', 'x-forwarded-proto': 'http', 'x-forwarded-port': '8080',
      'x-request-start': '1700000000123', 'x-request-id': 'req-1', via: VIA,
    });
  });

  test('given earlier proxies, when forwarded, then the client is appended to X-Forwarded-For and to Via', () => {
    const h = upstreamHeaders({ 'x-forwarded-for': '127.0.0.4, 127.0.0.5', via: '1.1 cdn' }, facts);
    assert.equal(h['x-forwarded-for'], '127.0.0.4, 127.0.0.5, 127.0.0.7');
    assert.equal(h.via, `1.1 cdn, ${VIA}`);
  });

  test('given a client that claims its own proto, port and start, when forwarded, then the router\'s values win', () => {
    const h = upstreamHeaders({ 'x-forwarded-proto': 'https', 'x-forwarded-port': '443', 'x-request-start': '1' }, facts);
    assert.equal(h['x-forwarded-proto'], 'http');
    assert.equal(h['x-forwarded-port'], '8080');
    assert.equal(h['x-request-start'], '1700000000123');
  });

  test('given a chunked request body, when forwarded, then it is re-chunked and other hop-by-hop headers are dropped', () => {
    const h = upstreamHeaders({ 'transfer-encoding': 'chunked', te: 'trailers', connection: 'keep-alive, x-secret', 'x-secret': 's', 'proxy-authorization': 'p', upgrade: 'h2c', 'keep-alive': 'timeout=5', trailer: 'x' }, facts);
    assert.equal(h['transfer-encoding'], 'chunked');
    for (const gone of ['te', 'connection', 'x-secret', 'proxy-authorization', 'upgrade', 'keep-alive', 'trailer']) assert.equal(h[gone], undefined, gone);
  });
});

describe('headers back to the client', () => {
  test('given a dyno response with hop-by-hop headers, when relayed, then only end-to-end ones pass, set-cookie stays a list, Via is added', () => {
    const h = downstreamHeaders({
      'content-type': 'text/plain', 'set-cookie': ['a=1', 'b=2'], connection: 'close', 'keep-alive': 'timeout=5',
      'transfer-encoding': 'chunked', 'proxy-authenticate': 'Basic', upgrade: 'x', trailer: 'y', 'x-app': 'yes',
    });
    assert.deepEqual(h, { 'content-type': 'text/plain', 'set-cookie': ['a=1', 'b=2'], 'x-app': 'yes', via: VIA });
  });

  test('given mixed-case names, when filtered, then matched case-insensitively', () => {
    assert.deepEqual(withoutHopByHop({ Connection: 'Foo', Foo: '1', 'Keep-Alive': 'x', Bar: '2' }), { bar: '2' });
  });
});
