import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { Context } from '../src/context.js';
import { run } from '../src/main.js';
import { Ui } from '../src/output/ui.js';

/** Runs `paas <args>` in this process with captured output; returns its exit status, stdout and stderr. */
async function paas(args: string[], env: NodeJS.ProcessEnv = {}, cwd = '/'): Promise<{ code: number; out: string; err: string }> {
  const out = new PassThrough();
  const err = new PassThrough();
  let o = '';
  let e = '';
  out.on('data', (d) => (o += d));
  err.on('data', (d) => (e += d));
  const code = await run(['node', 'paas', ...args], new Context({ HOME: '/nonexistent', ...env }, new Ui(out, err, {}), cwd));
  return { code, out: o, err: e };
}

/** A loopback port nobody listens on (bound, read, released). */
function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

describe('bad input gets one line that says what to do, and the exit status says whose fault', () => {
  test('an unknown command suggests the nearest one (2)', async () => {
    const r = await paas(['relases']);
    assert.equal(r.code, 2);
    assert.equal(r.err, " ▸    unknown command 'relases' (Did you mean releases?)\n");
  });

  test('a missing argument or unknown flag is a usage error (2); --help and --version are not errors (0)', async () => {
    assert.equal((await paas(['config:get', '-a', 'x'])).code, 2);
    assert.equal((await paas(['apps', '--nope'])).code, 2);
    const help = await paas(['ps', '--help']);
    assert.equal(help.code, 0);
    assert.match(help.out, /-a, --app <app>/);
    assert.equal((await paas(['--version'])).code, 0);
  });

  test('no app outside a git repository: how to pass -a (2)', async () => {
    const r = await paas(['config'], { PAAS_API_KEY: 'k' });
    assert.equal(r.code, 2);
    assert.match(r.err, /no app given and not inside a git repository.*pass -a APP/);
  });

  test('an unreachable API: the URL that was tried (1)', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const r = await paas(['apps'], { PAAS_API_URL: url, PAAS_API_KEY: 'k' });
    assert.equal(r.code, 1);
    assert.equal(r.err, ` ▸    cannot reach the Platform API at ${url} (ECONNREFUSED): is the platform running (\`npm start\`)? Set PAAS_API_URL to its address\n`);
  });

  test('no credentials: log in or set PAAS_API_KEY (1); a malformed PAAS_API_URL (2)', async () => {
    const r = await paas(['apps'], { PAAS_API_URL: 'http://127.0.0.1:1' });
    assert.equal(r.code, 1);
    assert.match(r.err, /not logged in to http:\/\/127\.0\.0\.1:1: run `paas login` or set PAAS_API_KEY/);
    const bad = await paas(['apps'], { PAAS_API_URL: 'ftp://x' });
    assert.equal(bad.code, 2);
    assert.match(bad.err, /PAAS_API_URL must start with http:\/\/ or https:\/\//);
  });

  test('secrets typed on the command line never show in errors', async () => {
    const r = await paas(['config:set', 'TOKEN=s3cr3t-value', 'BROKEN', '-a', 'x']);
    assert.equal(r.code, 2);
    assert.doesNotMatch(r.err, /s3cr3t-value/);
  });
});
