import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, rm } from 'node:fs/promises';
import { connect, type TLSSocket } from 'node:tls';
import { waitFor } from '@paas/testing';
import { git, nodeApp, pushUrl, repoWith } from './git.js';
import { HerokuCli, type CliResult } from './heroku-cli.js';
import { Platform } from './platform.js';

const APP = 'run-app';
const EXPIRY_MS = 8000;

/** Asserts a zero exit and returns the output. */
function ok(r: CliResult, ...expected: RegExp[]): string {
  assert.equal(r.code, 0, r.out);
  for (const e of expected) assert.match(r.out, e);
  return r.out;
}

/** A raw rendezvous client: sends the secret line, collects what comes back until the server closes. */
function rendezvous(url: string, ca: string): { socket: TLSSocket; received: () => string; closed: Promise<string> } {
  const u = new URL(url);
  const socket = connect({ host: u.hostname, port: Number(u.port), ca });
  let got = '';
  socket.setEncoding('utf8');
  socket.on('data', (d: string) => (got += d));
  socket.on('error', () => undefined);
  socket.write(`${u.pathname.slice(1)}\r\n`);
  return { socket, received: () => got, closed: new Promise((resolve) => socket.on('close', () => resolve(got))) };
}

describe('heroku run (attached one-off dynos) with the real CLI over the rendezvous listener', () => {
  let p: Platform;
  let h: HerokuCli;
  let ca: string;
  const dirs: string[] = [];

  before(async () => {
    // A short attach_url lifetime, so the test of an unused one need not wait a minute.
    p = await Platform.start({ PAAS_RENDEZVOUS_TIMEOUT_MS: String(EXPIRY_MS) });
    ca = await readFile(p.caPath, 'utf8');
    h = await HerokuCli.create(p.apiUrl, p.apiKey, { NODE_EXTRA_CA_CERTS: p.caPath });
    ok(await h.run(['apps:create', APP]));
    ok(await h.run(['config:set', 'GREETING=hi-there', '-a', APP]));
    const dir = await repoWith(nodeApp);
    dirs.push(dir);
    const pushed = await git(dir, 'push', pushUrl(p.apiUrl, p.apiKey, APP), 'main');
    assert.equal(pushed.code, 0, pushed.output);
  });

  after(async () => {
    await p?.stop();
    await Promise.all([...dirs, h?.home].filter(Boolean).map((d) => rm(d!, { recursive: true, force: true })));
  });

  test('prints the output of the command with the config vars and exits 0; the app log tells its life', async () => {
    const out = ok(await h.run(['run', 'echo hello $GREETING from $DYNO', '-a', APP]), /hello hi-there from run\.\d+/);
    const dyno = /from (run\.\d+)/.exec(out)![1];
    await waitFor('the attached dyno\'s life in the logs', async () => {
      const logs = (await h.run(['logs', '--dyno', dyno, '-a', APP])).out;
      return /State changed from starting to up/.test(logs) && /Process exited with status 0/.test(logs);
    }, { timeoutMs: 30_000, intervalMs: 500 });
    assert.doesNotMatch((await h.run(['ps', '-a', APP])).out, new RegExp(dyno.replace('.', '\\.')));
  });

  test('with --exit-code the CLI exits with the command\'s status', async () => {
    const r = await h.run(['run', '--exit-code', '(exit 3)', '-a', APP]);
    assert.equal(r.code, 3, r.out);
    ok(await h.run(['run', '--exit-code', 'true', '-a', APP]));
  });

  test('stdin piped into the CLI reaches the command, and its end ends the command\'s input', async () => {
    const r = ok(await h.run(['run', 'cat', '-a', APP], { input: 'abc\ndef\n' }));
    assert.match(r, /abc\ndef/);
  });

  const TTY_PROBE = 'if test -t 0 && test -t 1; then echo is-a-tty; else echo not-a-tty; fi; stty size 2>/dev/null; (exit 3)';

  test('from a terminal (the CLI under a pseudo-terminal) the command runs in one of its size; the exit status still comes back', async () => {
    const r = await h.runInTerminal(['run', '--exit-code', TTY_PROBE, '-a', APP]);
    assert.equal(r.code, 3, r.out);
    assert.match(r.out, /^is-a-tty\r/m, 'a terminal ends lines with \\r\\n');
    assert.match(r.out, /^40 120\r/m);
  });

  test('without a terminal, or with --no-tty, the command gets plain pipes', async () => {
    const piped = await h.run(['run', '--exit-code', TTY_PROBE, '-a', APP]);
    assert.equal(piped.code, 3, piped.out);
    assert.match(piped.out, /^not-a-tty\n/m);
    const noTty = await h.runInTerminal(['run', '--no-tty', '--exit-code', TTY_PROBE, '-a', APP]);
    assert.equal(noTty.code, 3, noTty.out);
    assert.match(noTty.out, /^not-a-tty/m);
    assert.doesNotMatch(noTty.out, /^is-a-tty/m);
  });

  test('the CLI verifies the rendezvous certificate: without the platform CA it does not connect', async () => {
    const untrusting = await HerokuCli.create(p.apiUrl, p.apiKey);
    dirs.push(untrusting.home);
    const r = await untrusting.run(['run', 'echo should-not-run', '-a', APP]);
    assert.notEqual(r.code, 0, r.out);
    assert.match(r.out, /certificate/i);
    assert.doesNotMatch(r.out, /should-not-run\n/);
  });

  test('a wrong secret is refused: the connection closes without a word', async () => {
    const c = rendezvous(`rendezvous://127.0.0.1:${p.rendezvousPort}/${'0'.repeat(48)}`, ca);
    assert.equal(await c.closed, '');
  });

  test('a secret is good for one connection; the dyno stops when its client goes away', async () => {
    const res = await p.api('POST', `/apps/${APP}/dynos`, { command: 'echo started; sleep 60', attach: true });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.match(res.body.attach_url, new RegExp(`^rendezvous://127\\.0\\.0\\.1:${p.rendezvousPort}/[0-9a-f]{48}$`));
    const first = rendezvous(res.body.attach_url, ca);
    await waitFor('the rendezvous ack and the first output', async () => /^rendezvous\r\nstarted/.test(first.received()), { timeoutMs: 15_000, intervalMs: 50 });
    assert.equal(await rendezvous(res.body.attach_url, ca).closed, '', 'a second use of the secret is refused');
    const names = async () => (await p.api('GET', `/apps/${APP}/dynos`)).body.map((d: { name: string }) => d.name) as string[];
    assert.ok((await names()).includes(res.body.name));
    first.socket.destroy();
    await waitFor('the dyno gone after its client left', async () => !(await names()).includes(res.body.name), { timeoutMs: 15_000, intervalMs: 200 });
  });

  test('an attach_url nobody uses expires: its pending dyno is dropped and the secret refused', async () => {
    const res = await p.api('POST', `/apps/${APP}/dynos`, { command: 'echo never', attach: true });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    const names = async () => (await p.api('GET', `/apps/${APP}/dynos`)).body.map((d: { name: string }) => d.name) as string[];
    assert.ok((await names()).includes(res.body.name), 'pending until someone attaches');
    await waitFor('the pending dyno dropped', async () => !(await names()).includes(res.body.name), { timeoutMs: EXPIRY_MS + 15_000, intervalMs: 250 });
    assert.equal(await rendezvous(res.body.attach_url, ca).closed, '');
  });
});
