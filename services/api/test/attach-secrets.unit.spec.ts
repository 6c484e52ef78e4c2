import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { AttachSecrets, parseSecretLine } from '../src/domain/attach-secrets.js';

const SECRET = 'a1b2c3d4e5f6a7b8c9d0e1f2';
const bytes = (s: string) => new TextEncoder().encode(s);

describe('rendezvous secrets: single use, expiring', () => {
  test('given an offered secret, when taken in time, then it names its target once', () => {
    const s = new AttachSecrets<string>(60_000);
    s.offer(SECRET, 'run.1', 1000);
    assert.equal(s.take(SECRET, 60_999), 'run.1');
    assert.equal(s.take(SECRET, 61_000), undefined);
  });

  test('given an unknown secret, then nothing is found', () => {
    assert.equal(new AttachSecrets<string>(60_000).take(SECRET, 0), undefined);
  });

  test('given a secret past its lifetime, when taken, then it is refused and forgotten', () => {
    const s = new AttachSecrets<string>(60_000);
    s.offer(SECRET, 'run.1', 1000);
    assert.equal(s.take(SECRET, 61_000), undefined);
    assert.equal(s.size, 0);
  });

  test('given secrets of different ages, when expired, then only the old ones are returned and forgotten', () => {
    const s = new AttachSecrets<string>(60_000);
    s.offer('old-secret-0000000000', 'run.1', 0);
    s.offer('new-secret-0000000000', 'run.2', 30_000);
    assert.deepEqual(s.expire(59_999), []);
    assert.deepEqual(s.expire(60_000), ['run.1']);
    assert.equal(s.size, 1);
    assert.equal(s.take('new-secret-0000000000', 60_000), 'run.2');
  });
});

describe('the secret line a rendezvous client starts with', () => {
  test('given a complete line, then the secret and the bytes after it (stdin) come back', () => {
    const r = parseSecretLine(bytes(`${SECRET}\r\nabc`));
    assert.ok(typeof r === 'object');
    assert.equal(r.secret, SECRET);
    assert.equal(new TextDecoder().decode(r.rest), 'abc');
  });

  test('given part of a line, then more is needed', () => {
    assert.equal(parseSecretLine(bytes(SECRET)), 'more');
    assert.equal(parseSecretLine(bytes(`${SECRET}\r`)), 'more');
  });

  test('given a line that cannot be a secret, or no line end in 512 bytes, then it is invalid', () => {
    assert.equal(parseSecretLine(bytes('short\r\n')), 'invalid');
    assert.equal(parseSecretLine(bytes('GET / HTTP/1.1\r\n')), 'invalid');
    assert.equal(parseSecretLine(bytes('x'.repeat(513))), 'invalid');
  });
});
