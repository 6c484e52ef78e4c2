import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { paginate, parseRange } from '../src/domain/range.js';

const releases = Array.from({ length: 7 }, (_, i) => ({ id: `id-${i + 1}`, version: i + 1 }));
const key = (r: { id: string; version: number }, f: string) => (f === 'version' ? r.version : r.id);

describe('Range headers as the Heroku CLI sends them', () => {
  test('"version ..; max=3, order=desc" gives the newest three, 206 and a Next-Range', () => {
    const p = paginate(releases, parseRange('version ..; max=3, order=desc', ['version', 'id']), key);
    assert.equal(p.status, 206);
    assert.deepEqual(p.items.map((r) => r.version), [7, 6, 5]);
    assert.equal(p.headers['Next-Range'], 'version ]5..; max=3, order=desc');
  });

  test('following Next-Range pages through to a last page answered 200 without Next-Range', () => {
    const seen: number[] = [];
    let range: string | undefined = 'version ..; max=3, order=desc';
    let pages = 0;
    while (range) {
      const p: ReturnType<typeof paginate<(typeof releases)[number]>> = paginate(releases, parseRange(range, ['version', 'id']), key);
      seen.push(...p.items.map((r: { version: number }) => r.version));
      range = p.headers['Next-Range'];
      pages++;
      if (!range) assert.equal(p.status, 200);
    }
    assert.deepEqual(seen, [7, 6, 5, 4, 3, 2, 1]);
    assert.equal(pages, 3);
  });

  test('"version ..; order=desc,max=1" is the newest release (config:set reads it so)', () => {
    const p = paginate(releases, parseRange('version ..; order=desc,max=1', ['version']), key);
    assert.deepEqual(p.items.map((r) => r.version), [7]);
  });

  test('"id ..; max=1000;" is everything ascending, 200', () => {
    const p = paginate(releases, parseRange('id ..; max=1000;', ['version', 'id']), key);
    assert.equal(p.status, 200);
    assert.equal(p.items.length, 7);
    assert.equal(p.headers['Next-Range'], undefined);
  });

  test('garbage, unknown fields and absurd sizes fall back to the defaults', () => {
    for (const h of ['', '%%%', 'color ..; max=2', 'version ..; max=-4, order=sideways']) {
      const r = parseRange(h, ['version', 'id']);
      assert.equal(r.field, 'version', h);
      assert.equal(r.order, 'asc', h);
      assert.ok(r.max >= 1 && r.max <= 1000, h);
    }
    assert.equal(parseRange('version ..; max=5000', ['version']).max, 1000);
  });

  test('an inclusive start and an end bound the page', () => {
    const p = paginate(releases, parseRange('version 2..4', ['version']), key);
    assert.deepEqual(p.items.map((r) => r.version), [2, 3, 4]);
    assert.equal(p.headers['Content-Range'], 'version 2..4; max=200, order=asc');
  });
});
