import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const native = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'native');
const cc = spawnSync('cc', ['--version']).status === 0;
/** Node's headers (plane.h includes libuv's), found as native/build.mjs finds them. */
const nodeHeaders = join(process.env.npm_config_nodedir || dirname(dirname(process.execPath)), 'include', 'node');

describe('native data plane, memory safety: its readers under AddressSanitizer and UBSan', { skip: cc ? false : 'no C compiler (cc)' }, () => {
  test('100000 mutated request heads, response heads, chunked bodies and Host lookups: no out-of-bounds access, no undefined behaviour', () => {
    const dir = mkdtempSync(join(tmpdir(), 'paas-asan-'));
    try {
      const exe = join(dir, 'fuzz-heads');
      const build = spawnSync('cc', ['-std=gnu11', '-g', '-O1', '-fsanitize=address,undefined', '-fno-sanitize-recover=all',
        '-I', join(native, 'src'), '-I', nodeHeaders, join(native, 'test', 'fuzz-heads.c'),
        ...['http.c', 'bytes.c', 'chunked.c', 'table.c'].map((f) => join(native, 'src', f)), '-o', exe], { encoding: 'utf8' });
      assert.equal(build.status, 0, build.stderr);
      const run = spawnSync(exe, ['100000', '20261207'], { encoding: 'utf8', env: { ...process.env, ASAN_OPTIONS: 'detect_leaks=0' } });
      assert.equal(run.status, 0, `${run.stdout}\n${run.stderr.slice(0, 4000)}`);
      // Each reader took a good share of its inputs: the mutations reach past the first line.
      const [, requests, responses, chunks] = /(\d+) requests, (\d+) responses, (\d+) chunked ends/.exec(run.stdout)!.map(Number);
      assert.ok(requests > 10000 && responses > 10000 && chunks > 5000, run.stdout);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
