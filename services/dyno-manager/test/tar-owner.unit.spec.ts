import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import * as tar from 'tar';
import { TarOwner } from '../src/adapters/runtime/tar-owner.js';

describe('tar owner rewrite (slugs copied into containers)', () => {
  test('given a portable tar with long paths, a symlink and a large file, then every entry is owned by the dyno user and nothing else changes', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'paas-tar-owner-'));
    try {
      const deep = join(dir, 'a'.repeat(60), 'b'.repeat(60));
      await mkdir(deep, { recursive: true });
      await writeFile(join(deep, 'c'.repeat(80) + '.txt'), 'deep');
      await writeFile(join(dir, 'big'), Buffer.alloc(700_000, 7));
      await symlink('big', join(dir, 'link'));
      const packed = await buffer(Readable.from(tar.c({ cwd: dir, portable: true }, ['.'])));
      const owned = await buffer(Readable.from([packed.subarray(0, 1000), packed.subarray(1000)]).pipe(new TarOwner(1000, 1000, 'dyno')));
      assert.equal(owned.length, packed.length);
      const list = async (b: Buffer) => {
        const entries: { path: string; size: number; type: string; uid?: number; gid?: number; uname?: string }[] = [];
        await new Promise<void>((resolve, reject) => {
          const p = new tar.Parser({ strict: true, onReadEntry: (e) => { entries.push({ path: e.path, size: e.size, type: e.type, uid: e.uid, gid: e.gid, uname: e.uname }); e.resume(); } });
          p.on('end', resolve);
          p.on('error', reject);
          p.end(b);
        });
        return entries;
      };
      const before = await list(packed);
      const after = await list(owned);
      assert.equal(after.length, 6);
      assert.deepEqual(after.map(({ path, size, type }) => [path, size, type]), before.map(({ path, size, type }) => [path, size, type]));
      assert.ok(after.every((e) => e.uid === 1000 && e.gid === 1000 && e.uname === 'dyno'), JSON.stringify(after));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
