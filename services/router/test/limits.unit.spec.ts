import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { limitBreach } from '../src/domain/limits.js';

describe('request limits', () => {
  test('given a request within every limit, when checked, then it passes', () => {
    assert.equal(limitBreach('GET', `/${'a'.repeat(8000)}`, '1.1', ['Host', 'a.localhost', 'X-A', 'b'.repeat(8192)]), undefined);
  });

  test('given a request line over 8192 bytes, when checked, then 414', () => {
    assert.equal(limitBreach('GET', `/${'a'.repeat(8192)}`, '1.1', ['Host', 'a'])?.status, 414);
  });

  test('given a header value over 8192 bytes or a name over 1000, when checked, then 431 naming the header', () => {
    const big = limitBreach('GET', '/', '1.1', ['Host', 'a', 'X-Big', 'b'.repeat(8193)]);
    assert.deepEqual([big?.status, big?.reason.includes('X-Big')], [431, true]);
    assert.equal(limitBreach('GET', '/', '1.1', ['X'.repeat(1001), 'v'])?.status, 431);
  });

  test('given heads as parsers give them (one char per byte), when at the limits exactly, then they pass, one byte more does not', () => {
    const line = (n: number) => `/${'a'.repeat(n - 'GET / HTTP/1.1'.length)}`; // a target making the request line n bytes
    assert.equal(limitBreach('GET', line(8192), '1.1', ['Host', 'a']), undefined);
    assert.match(limitBreach('GET', line(8193), '1.1', ['Host', 'a'])?.reason ?? '', /is 8193 bytes/);
    // Bytes 0x80-0xff arrive as one latin1 char each: 8192 of them are 8192 bytes on the wire.
    assert.equal(limitBreach('GET', '/', '1.1', ['Host', 'a', 'X-Latin1', '\u00e9'.repeat(8192)]), undefined);
    assert.equal(limitBreach('GET', '/', '1.1', ['Host', 'a', 'X-Latin1', '\u00e9'.repeat(8193)])?.status, 431);
    assert.equal(limitBreach('GET', '/', '1.1', ['X'.repeat(1000), 'v']), undefined);
  });

  test('given 1001 headers, when checked, then 431; given 1000, then it passes', () => {
    const headers = (n: number) => Array.from({ length: n }, (_, i) => [`X-${i}`, 'v']).flat();
    assert.equal(limitBreach('GET', '/', '1.1', headers(1001))?.status, 431);
    assert.equal(limitBreach('GET', '/', '1.1', headers(1000)), undefined);
  });
});
