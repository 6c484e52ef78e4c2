import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ChunkedTracker } from '../src/domain/chunked.js';

const bytes = (s: string) => Buffer.from(s, 'latin1');

/** Feeds `parts` one after another; returns where the message ended in the last part fed, or -1/-2. */
function feedAll(t: ChunkedTracker, parts: string[]): number[] {
  return parts.map((p) => t.feed(bytes(p), 0, p.length));
}

describe('chunked framing tracker', () => {
  test('given a whole chunked body and what follows it, when fed at once, then it ends right after the final CRLF', () => {
    const body = '5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n';
    const t = new ChunkedTracker();
    assert.equal(t.feed(bytes(`${body}GET /next`), 0, body.length + 9), body.length);
    assert.ok(t.done);
    assert.equal(t.data, 11);
  });

  test('given the body split at every byte, when fed byte by byte, then the end is found at the same place', () => {
    const body = 'a;name=value\r\n0123456789\r\n0\r\n\r\n';
    const t = new ChunkedTracker();
    const ends = feedAll(t, body.split(''));
    assert.deepEqual(ends.slice(0, -1).filter((e) => e !== -1), []);
    assert.equal(ends.at(-1), 1);
    assert.equal(t.data, 10);
  });

  test('given chunk extensions, hex in either case and trailers, when fed, then they are skipped over', () => {
    const body = 'A ; ext="q"\r\n0123456789\r\nf\r\n0123456789abcde\r\n0;last\r\nX-Checksum: abc\r\nX-Other: 1\r\n\r\n';
    const t = new ChunkedTracker();
    assert.equal(t.feed(bytes(body), 0, body.length), body.length);
    assert.equal(t.data, 25);
  });

  test('given a body not yet complete, when fed, then -1 (more to come), and the rest completes it', () => {
    const t = new ChunkedTracker();
    assert.deepEqual(feedAll(t, ['4\r\nab', 'cd\r\n0\r\n', 'X-T: 1\r\n', '\r\nrest']), [-1, -1, -1, 2]);
  });

  test('given malformed framing, when fed, then -2 with a reason, and -2 from then on', () => {
    for (const bad of ['x\r\n', '5\r\nhello!\r\n', '5\nhello\r\n', '5\r\nhello\r\n0\r\nbad\ntrailer\r\n\r\n', '1234567890123456\r\n', '5 \0\r\n']) {
      const t = new ChunkedTracker();
      assert.equal(t.feed(bytes(bad), 0, bad.length), -2, JSON.stringify(bad));
      assert.ok(t.error, 'a reason is given');
      assert.equal(t.feed(bytes('0\r\n\r\n'), 0, 5), -2);
    }
  });

  test('given a tracker reset after a message, when fed the next one, then it tracks it afresh', () => {
    const t = new ChunkedTracker();
    assert.equal(t.feed(bytes('0\r\n\r\n'), 0, 5), 5);
    t.reset();
    assert.equal(t.done, false);
    const next = '1\r\nx\r\n0\r\n\r\n';
    assert.equal(t.feed(bytes(next), 0, next.length), next.length);
    assert.equal(t.data, 1);
  });
});
