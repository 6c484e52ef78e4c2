import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { splitStdin } from '../src/domain/stdin.js';

const bytes = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array) => new TextDecoder().decode(b);

describe('stdin of an attached dyno, as the heroku CLI sends it', () => {
  test('given a chunk without \\x04, then it is all stdin and stdin stays open', () => {
    const r = splitStdin(bytes('abc\n'));
    assert.equal(text(r.data), 'abc\n');
    assert.equal(r.end, false);
  });

  test('given a chunk with \\x04, then the bytes before it are stdin, it ends stdin, the rest is dropped', () => {
    const r = splitStdin(bytes('last\n\x04after'));
    assert.equal(text(r.data), 'last\n');
    assert.equal(r.end, true);
  });

  test('given only \\x04, then stdin ends with nothing more to write', () => {
    const r = splitStdin(bytes('\x04'));
    assert.equal(r.data.length, 0);
    assert.equal(r.end, true);
  });
});
