import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFile, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '@paas/testing';
import { OutputTailer } from '../src/adapters/runtime/output-tail.js';

describe('dyno output files, followed', () => {
  const dirs: string[] = [];
  const tailers: OutputTailer[] = [];
  after(async () => {
    for (const t of tailers) t.close();
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  });

  test('every line arrives in order, and a file past its size limit starts again from empty without losing lines', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'paas-tail-'));
    dirs.push(dir);
    const path = join(dir, 'out.log');
    await appendFile(path, '');
    const lines: string[] = [];
    const tailer = new OutputTailer((_id, line) => lines.push(line), 20, 4096);
    tailers.push(tailer);
    await tailer.follow('d1', path, false);

    // Written in bursts, as a dyno would, each burst read before the next one.
    for (let burst = 0; burst < 10; burst++) {
      const chunk = Array.from({ length: 20 }, (_, i) => `burst ${burst} line ${i} ${'x'.repeat(40)}`).join('\n') + '\n';
      await appendFile(path, chunk);
      await waitFor(`burst ${burst} to be read`, () => lines.length === (burst + 1) * 20, { timeoutMs: 5000, intervalMs: 10 });
    }
    assert.deepEqual(lines.slice(0, 3).map((l) => l.slice(0, 16)), ['burst 0 line 0 x', 'burst 0 line 1 x', 'burst 0 line 2 x']);
    assert.equal(lines.at(-1)!.slice(0, 15), 'burst 9 line 19');
    // 10 bursts of ~1.2 KB against a 4 KB limit: the file was emptied on the way.
    assert.ok((await stat(path)).size < 4096 + 1300, `the file is ${(await stat(path)).size} bytes`);
    await tailer.unfollow('d1');
  });

  test('a poll that runs while the file is unfollowed (the dyno just exited) does not tell its lines twice', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'paas-tail-'));
    dirs.push(dir);
    for (let round = 0; round < 30; round++) {
      const path = join(dir, `out-${round}.log`);
      const lines: string[] = [];
      // A 1 ms poll, so a poll is in flight for most of the rounds when unfollow starts its own read.
      const tailer = new OutputTailer((_id, line) => lines.push(line), 1);
      tailers.push(tailer);
      await appendFile(path, Array.from({ length: 50 }, (_, i) => `round ${round} line ${i}`).join('\n') + '\nno newline at the end');
      await tailer.follow('run.1', path, false);
      await new Promise<void>((resolve) => setImmediate(resolve));
      await tailer.unfollow('run.1');
      tailer.close();
      assert.equal(lines.length, 51, `round ${round}: ${lines.length} lines told`);
      assert.equal(new Set(lines).size, 51, `round ${round}: a line was told twice`);
    }
  });
});
