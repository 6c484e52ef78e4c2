import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, rm } from 'node:fs/promises';
import { request } from 'node:https';
import { waitFor } from '@paas/testing';
import { nodeApp, repoWith } from './git.js';
import { HerokuCli, type CliResult } from './heroku-cli.js';
import { Platform } from './platform.js';

/** GET over HTTPS with Node's own client; `ca` undefined means only the system's trusted roots. */
function httpsGet(url: string, opts: { ca?: string; key?: string }): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { accept: 'application/vnd.heroku+json; version=3' };
    if (opts.key) headers.authorization = `Bearer ${opts.key}`;
    const req = request(url, { ca: opts.ca, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

function ok(r: CliResult, ...expected: RegExp[]): string {
  assert.equal(r.code, 0, r.out);
  for (const e of expected) assert.match(r.out, e);
  return r.out;
}

describe('the api over HTTPS with the platform CA: Platform API, heroku git:remote and git push', () => {
  let p: Platform;
  let h: HerokuCli;
  let ca: string;
  const dirs: string[] = [];

  before(async () => {
    p = await Platform.start();
    // The HTTPS listener starts right after the plain one that Platform.start waited for.
    ca = await waitFor('the platform CA to be written', () => readFile(p.caPath, 'utf8').catch(() => undefined), { timeoutMs: 20_000 });
    await waitFor('the HTTPS listener to answer', async () => (await httpsGet(`${p.apiTlsUrl}/healthz`, { ca }).catch(() => undefined))?.status === 200, { timeoutMs: 20_000 });
    // The CLI itself talks to the api over HTTPS too, trusting the CA the way an operator would.
    h = await HerokuCli.create(p.apiTlsUrl, p.apiKey, { HEROKU_GIT_HOST: `127.0.0.1:${p.apiTlsPort}`, NODE_EXTRA_CA_CERTS: p.caPath });
  });

  after(async () => {
    await p?.stop();
    await Promise.all([...dirs, h?.home].filter(Boolean).map((d) => rm(d!, { recursive: true, force: true })));
  });

  test('the Platform API answers GET /apps over HTTPS to a client trusting the CA', async () => {
    const r = await httpsGet(`${p.apiTlsUrl}/apps`, { ca, key: p.apiKey });
    assert.equal(r.status, 200, r.body);
    assert.ok(Array.isArray(JSON.parse(r.body)));
    assert.equal((await httpsGet(`${p.apiTlsUrl}/apps`, { ca })).status, 401, 'the key is still required over TLS');
    const told = `platform CA: ${p.caPath} (trust it with NODE_EXTRA_CA_CERTS or GIT_SSL_CAINFO)`;
    assert.equal(p.logs.filter((l) => l.startsWith('api|') && l.includes(told)).length, 1, 'the api says once where the CA is');
  });

  test('a client that does not trust the platform CA fails the TLS handshake', async () => {
    await assert.rejects(httpsGet(`${p.apiTlsUrl}/apps`, { key: p.apiKey }), (err: NodeJS.ErrnoException) => {
      assert.match(err.code ?? '', /UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_GET_ISSUER_CERT_LOCALLY/, err.message);
      return true;
    });
  });

  test('apps:create adds an https heroku remote; git push over it with GIT_SSL_CAINFO releases and serves the app', async () => {
    const dir = await repoWith(nodeApp);
    dirs.push(dir);
    ok(await h.run(['apps:create', 'tls-app'], { cwd: dir }), /Creating tls-app\.\.\. done/);
    const remote = ok(await h.git(dir, ['remote', 'get-url', 'heroku'])).trim();
    assert.equal(remote, `https://127.0.0.1:${p.apiTlsPort}/tls-app.git`);
    ok(await h.run(['git:remote', '-a', 'tls-app', '--remote', 'secure'], { cwd: dir }), /set git remote secure/);
    assert.equal(ok(await h.git(dir, ['remote', 'get-url', 'secure'])).trim(), remote);

    const untrusted = await h.git(dir, ['push', 'heroku', 'main']);
    assert.notEqual(untrusted.code, 0, untrusted.out);
    assert.match(untrusted.out, /SSL certificate problem|server certificate verification failed/);

    // Credentials come from the `heroku git:credentials` helper apps:create configured, as for a Heroku user.
    const push = ok(await h.git(dir, ['push', 'heroku', 'main'], { GIT_SSL_CAINFO: p.caPath }), /remote:\s+Released v2/);
    assert.match(push, /main -> main/);
    await waitFor('tls-app to answer through the router', async () => {
      const r = await p.viaRouter('tls-app');
      return r.status === 200 && r.body === 'node says hello from web.1';
    }, { timeoutMs: 30_000 });
  });
});
