import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { freePort, waitFor } from '@paas/testing';
import { accepts, listeners } from '../src/adapters/port-probe.js';

const root = process.getuid?.() === 0;

/**
 * The process runtime's dynos share the host's ports: a process of another app's user listening
 * on a dyno's $PORT (it bound it first, or after the dyno failed to) must not make that dyno "up".
 */
describe('a dyno is up when its own user listens on its port', { skip: root ? false : 'needs root to listen as another user' }, () => {
  const HIJACKER = 2_000_012_345;
  let port: number;
  let child: ChildProcess;

  before(async () => {
    port = await freePort();
    child = spawn('setpriv', [`--reuid=${HIJACKER}`, `--regid=${HIJACKER}`, '--clear-groups', '--', process.execPath, '-e', `require('net').createServer().listen(${port}, '127.0.0.1')`], { stdio: 'ignore' });
    await waitFor('the hijacker listening', async () => (await listeners(port)).includes(HIJACKER), { timeoutMs: 10_000 });
  });

  after(() => {
    child?.kill('SIGKILL');
  });

  test('the listener is told by its user: another user\'s socket on the port is not the dyno', async () => {
    assert.equal(await accepts('127.0.0.1', port), true, 'something answers there');
    assert.equal(await accepts('127.0.0.1', port, HIJACKER), true, 'its own user\'s socket counts');
    assert.equal(await accepts('127.0.0.1', port, HIJACKER + 1), false, 'the dyno of another user is not up');
  });
});
