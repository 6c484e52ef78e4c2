import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { waitFor } from '@paas/testing';
import { runCommand } from '../src/adapters/run-command.js';
import { BuilderHarness } from './harness.js';

const node = process.execPath;

/** True while the process exists and is not a zombie (nobody may reap orphans in a container). */
async function isRunning(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  return stat !== '' && !/^\d+ \(.*\) Z/.test(stat);
}

describe('build commands: output streamed line by line, failures and the time limit', () => {
  let h: BuilderHarness;

  before(async () => {
    h = await BuilderHarness.start({ buildTimeoutMs: 1500 });
  });

  after(async () => {
    await h?.cleanup();
  });

  test('every line of stdout and stderr reaches onLine, in order per stream', async () => {
    const lines: string[] = [];
    const script = "console.log('one'); console.log('two'); console.error('three')";
    await runCommand([node, '-e', script], { cwd: '/', env: {}, signal: new AbortController().signal, onLine: (l) => lines.push(l) });
    assert.deepEqual(lines.filter((l) => l !== 'three'), ['one', 'two']);
    assert.ok(lines.includes('three'));
  });

  test('a non-zero exit and a missing program fail with what ran', async () => {
    const opts = { cwd: '/', env: {}, signal: new AbortController().signal, onLine: () => undefined };
    await assert.rejects(runCommand([node, '-e', 'process.exit(3)'], opts), /exited with status 3/);
    await assert.rejects(runCommand(['paas-no-such-program'], opts), /paas-no-such-program is not installed on this builder/);
  });

  test('aborting kills the command and the children it started', async () => {
    const ctl = new AbortController();
    const lines: string[] = [];
    // The child starts a grandchild that would print after 5 s; both must be gone at once.
    const script = `const c = require('child_process').spawn(process.execPath, ['-e', 'setTimeout(() => console.log("late"), 5000)'], { stdio: 'inherit' }); console.log('pid ' + c.pid);`;
    const running = runCommand([node, '-e', script], { cwd: '/', env: {}, signal: ctl.signal, onLine: (l) => lines.push(l) });
    const line = await waitFor('the grandchild pid', () => lines.find((l) => l.startsWith('pid ')));
    ctl.abort(new Error('time is up'));
    await assert.rejects(running, /was stopped: time is up/);
    const pid = Number(line.slice(4));
    assert.equal(await waitFor('the grandchild to be killed with the group', async () => !(await isRunning(pid))), true);
    assert.ok(!lines.includes('late'));
  });

  test('a build past PAAS_BUILD_TIMEOUT_MS fails with the time limit and leaves no work dir', async () => {
    const { outcome, pushed } = await h.build({
      files: {
        'package.json': JSON.stringify({
          name: 'slow', version: '1.0.0', dependencies: { tiny: 'file:./tiny' },
          scripts: { postinstall: 'node -e "setTimeout(() => {}, 60000)"' },
        }),
        'tiny/package.json': JSON.stringify({ name: 'tiny', version: '1.0.0' }),
      },
    });
    assert.equal(outcome.type, 'BuildFailed');
    if (outcome.type !== 'BuildFailed') return;
    assert.match(outcome.data.reason, /"npm install --no-audit --no-fund --prefer-offline --include=dev" was stopped: the build ran past its time limit of 1500 ms/);
    const out = await h.outputOf(pushed.data.buildId);
    assert.equal(out.end, 'failed');
    assert.deepEqual(await readdir(join(h.settings.dataDir, 'tmp')), []);
  });
});
