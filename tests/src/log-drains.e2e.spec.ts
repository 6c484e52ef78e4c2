import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { ensurePlatformTls } from '@paas/api';
import { parseRouterLine } from '@paas/contracts';
import { freshDataDir, waitFor } from '@paas/testing';
import { HttpsReceiver, SyslogReceiver, type SyslogFrame } from './drain-receivers.js';
import { git, pushUrl, repoWith } from './git.js';
import { HerokuCli } from './heroku-cli.js';
import { Platform } from './platform.js';

const APP = 'drained';
const SECRET = 's3cret-drain-pw';
const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const STAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00$/;
/** An app that writes a line to stdout for every request it serves. */
const chattyApp = {
  'package.json': JSON.stringify({ name: 'chatty', version: '1.0.0', scripts: { start: 'node server.js' } }),
  'server.js': "require('http').createServer((q, s) => { console.log('served ' + q.url); s.end('ok'); }).listen(process.env.PORT);\n",
};

describe('log drains: syslog and HTTPS receivers get the lines a deployed app writes', () => {
  let p: Platform;
  let syslog: SyslogReceiver;
  let syslogTls: SyslogReceiver;
  let https: HttpsReceiver;
  let slow: HttpsReceiver;
  let tlsDir: string;
  let h: HerokuCli | undefined;
  const dirs: string[] = [];
  const drains: Record<string, { id: string; token: string; url: string }> = {};

  before(async () => {
    // The receivers' certificate comes from a CA of the test's own; the api trusts it like a public CA.
    tlsDir = await freshDataDir('drain-tls-');
    const tls = await ensurePlatformTls(tlsDir, ['127.0.0.1']);
    syslog = await SyslogReceiver.start();
    syslogTls = await SyslogReceiver.start(tls);
    https = await HttpsReceiver.start(tls);
    slow = await HttpsReceiver.start(tls);
    p = await Platform.start({ NODE_EXTRA_CA_CERTS: tls.caPath, PAAS_DRAIN_BUFFER_LINES: '60', PAAS_DRAIN_RETRY_MS: '200', PAAS_DRAIN_TIMEOUT_MS: '120000', PAAS_DRAIN_ALLOWED_HOSTS: '127.0.0.1/32' });
    assert.equal((await p.api('POST', '/apps', { name: APP })).status, 201);
  });

  after(async () => {
    await p?.stop();
    await Promise.all([syslog?.close(), syslogTls?.close(), https?.close(), slow?.close()]);
    await Promise.all([...dirs, tlsDir, h?.home].filter(Boolean).map((d) => rm(d!, { recursive: true, force: true })));
  });

  test('an invalid drain URL is refused with 422 naming the schemes accepted, without echoing it', async () => {
    for (const url of ['ftp://logs.example.com/x', `gopher://user:${SECRET}@logs.example.com`, 'not a url', 'syslog+tls://logs.example.com:6514/some/path']) {
      const r = await p.api('POST', `/apps/${APP}/log-drains`, { url });
      assert.equal(r.status, 422, JSON.stringify(r.body));
      assert.equal(r.body.id, 'invalid_params');
      assert.match(r.body.message, /syslog\+tls:\/\/.*syslog\+tcp:\/\/.*https:\/\//);
      assert.ok(!r.body.message.includes(SECRET), r.body.message);
    }
    const missing = await p.api('POST', `/apps/${APP}/log-drains`, {});
    assert.equal(missing.status, 422);
    assert.match(missing.body.message, /url is required/);
    assert.equal((await p.api('POST', '/apps/no-such-app/log-drains', { url: 'https://127.0.0.1/x' })).status, 404);
    // The address guard: the test's receivers are allowed (PAAS_DRAIN_ALLOWED_HOSTS=127.0.0.1/32), the
    // metadata address and the platform's own listeners never are.
    const metadata = await p.api('POST', `/apps/${APP}/log-drains`, { url: 'syslog+tcp://169.254.169.254:514' });
    assert.equal(metadata.status, 422);
    assert.match(metadata.body.message, /cloud metadata.*does not send logs to internal addresses.*PAAS_DRAIN_ALLOWED_HOSTS=169\.254\.169\.254:514/);
    const itself = await p.api('POST', `/apps/${APP}/log-drains`, { url: `https://127.0.0.1:${new URL(p.apiUrl).port}/logs` });
    assert.equal(itself.status, 422);
    assert.match(itself.body.message, /platform's own listener/);
    assert.deepEqual((await p.api('GET', `/apps/${APP}/log-drains`)).body, [], 'no drain was added');
  });

  test('drains are added, listed and named in Heroku\'s shape; a URL is taken once per app', async () => {
    const urls = {
      syslog: `syslog+tcp://127.0.0.1:${syslog.port}`,
      tls: `syslog+tls://127.0.0.1:${syslogTls.port}`,
      https: `https://user:${SECRET}@127.0.0.1:${https.port}/logs?app=${APP}`,
      slow: `https://127.0.0.1:${slow.port}/slow`,
    };
    for (const [name, url] of Object.entries(urls)) {
      const r = await p.api('POST', `/apps/${APP}/log-drains`, { url });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      assert.deepEqual(Object.keys(r.body).sort(), ['addon', 'created_at', 'id', 'token', 'updated_at', 'url']);
      assert.equal(r.body.addon, null);
      assert.equal(r.body.url, url);
      assert.match(r.body.id, new RegExp(`^${UUID}$`));
      assert.match(r.body.token, new RegExp(`^d\\.${UUID}$`));
      assert.match(r.body.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      drains[name] = r.body;
    }
    const again = await p.api('POST', `/apps/${APP}/log-drains`, { url: urls.syslog });
    assert.equal(again.status, 422);
    assert.match(again.body.message, /already been taken/);

    const list = await p.api('GET', `/apps/${APP}/log-drains`);
    assert.equal(list.status, 200);
    assert.deepEqual(list.body.map((d: { id: string }) => d.id), [drains.syslog!.id, drains.tls!.id, drains.https!.id, drains.slow!.id]);
    for (const ref of [drains.https!.id, drains.https!.token, encodeURIComponent(drains.https!.url)]) {
      const one = await p.api('GET', `/apps/${APP}/log-drains/${ref}`);
      assert.equal(one.status, 200, ref);
      assert.equal(one.body.id, drains.https!.id);
    }
    assert.equal((await p.api('GET', `/apps/${APP}/log-drains/00000000-0000-4000-8000-000000000000`)).status, 404);
  });

  test('a deployed app\'s router, app and api lines reach syslog and HTTPS drains; a drain that does not answer slows nothing', async () => {
    slow.hold();
    const dir = await repoWith(chattyApp);
    dirs.push(dir);
    const push = await git(dir, 'push', pushUrl(p.apiUrl, p.apiKey, APP), 'main');
    assert.equal(push.code, 0, push.output);
    await waitFor('the app to answer', async () => (await p.viaRouter(APP)).status === 200, { timeoutMs: 60_000 });

    const probes = Array.from({ length: 40 }, (_, i) => `/probe-${i}`);
    const took: number[] = [];
    for (const path of probes) {
      const t0 = performance.now();
      const r = await p.viaRouter(APP, path);
      took.push(performance.now() - t0);
      assert.equal(r.status, 200);
    }
    const routerLine = (f: SyslogFrame, path: string) => f.appName === 'heroku' && f.procId === 'router' && f.message.includes(`path="${path}"`);
    const appLine = (f: SyslogFrame, path: string) => f.appName === 'app' && f.procId === 'web.1' && f.message === `served ${path}`;
    const all = (frames: SyslogFrame[]) => probes.every((path) => frames.some((f) => routerLine(f, path)) && frames.some((f) => appLine(f, path)));
    // The slow drain still holds its first batch: the two others have every line regardless.
    const summary = (frames: SyslogFrame[]) => frames.map((f) => `${f.appName}[${f.procId}]: ${f.message.slice(0, 60)}`).join('\n');
    await waitFor('every probe\'s router and app line at the syslog drain', () => all(syslog.frames), { timeoutMs: 30_000 })
      .catch((err: Error) => { throw new Error(`${err.message}\n--- syslog drain got ---\n${summary(syslog.frames)}\n--- services ---\n${p.logs.slice(-40).join('\n')}`); });
    await waitFor('every probe\'s router and app line at the syslog drain over TLS', () => all(syslogTls.frames), { timeoutMs: 30_000 })
      .catch((err: Error) => { throw new Error(`${err.message}\n--- TLS syslog drain got ---\n${summary(syslogTls.frames)}`); });
    assert.ok(syslogTls.frames.every((f) => f.host === drains.tls!.token));
    await waitFor('every probe\'s router and app line at the HTTPS drain', () => all(https.frames), { timeoutMs: 30_000 })
      .catch((err: Error) => { throw new Error(`${err.message}\n--- HTTPS drain got ---\n${summary(https.frames)}`); });
    assert.ok(slow.posts.length <= 1, `the slow drain answered nothing, so at most one batch is in flight (got ${slow.posts.length})`);
    assert.ok(Math.max(...took) < 5_000, `requests through the router stay fast while a drain hangs: ${took.map(Math.round).join(',')} ms`);

    // Syslog frames: RFC 5424 in Logplex's layout, the drain token as host.
    const r0 = syslog.frames.find((f) => routerLine(f, '/probe-0'))!;
    assert.equal(r0.host, drains.syslog!.token);
    assert.match(r0.timestamp, STAMP);
    assert.match(r0.message, new RegExp(`^at=info method=GET path="/probe-0" host=${APP}\\.localhost request_id=\\S+ fwd="127\\.0\\.0\\.1" dyno=web\\.1 connect=\\d+ms service=\\d+ms status=200 bytes=2 protocol=http$`));
    // Read back with the contracts' parser of Heroku's router format.
    const parsed = parseRouterLine(r0.message)!;
    assert.deepEqual([parsed.at, parsed.method, parsed.path, parsed.host, parsed.fwd, parsed.dyno, parsed.status, parsed.bytes, parsed.protocol],
      ['info', 'GET', '/probe-0', `${APP}.localhost`, '127.0.0.1', 'web.1', 200, 2, 'http']);
    assert.ok(parsed.connectMs !== null && parsed.serviceMs !== null && parsed.requestId !== null);
    assert.ok(syslog.frames.some((f) => f.appName === 'app' && f.procId === 'api' && /^Release v2 created by user /.test(f.message)), 'the app[api] release line');
    assert.ok(syslog.frames.some((f) => f.appName === 'heroku' && f.procId === 'web.1' && f.message === 'State changed from starting to up'), 'the heroku[web.1] state line');
    // Lines of one dyno arrive in order.
    const served = syslog.frames.filter((f) => f.procId === 'web.1' && f.message.startsWith('served /probe-')).map((f) => Number(f.message.slice('served /probe-'.length)));
    assert.deepEqual(served, [...served].sort((a, b) => a - b));

    // HTTPS posts: Logplex's headers, basic auth from the URL, a count that matches the body.
    for (const post of https.posts) {
      assert.equal(post.headers['content-type'], 'application/logplex-1');
      assert.equal(Number(post.headers['logplex-msg-count']), post.frames.length);
      assert.equal(post.headers['logplex-drain-token'], drains.https!.token);
      assert.match(String(post.headers['logplex-frame-id']), /^[0-9A-F]{32}$/);
      assert.equal(post.headers.authorization, `Basic ${Buffer.from(`user:${SECRET}`).toString('base64')}`);
      assert.ok(post.frames.every((f) => f.host === drains.https!.token));
    }

    // The slow drain comes back: it hears how many lines it lost, then gets the newest ones.
    slow.release();
    const l10 = await waitFor('the L10 line at the slow drain', () => slow.frames.find((f) => f.appName === 'heroku' && f.procId === 'logplex'), { timeoutMs: 30_000 });
    assert.match(l10.message, /^Error L10 \(output buffer overflow\): \d+ messages dropped since \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00\.$/);
    assert.equal(l10.pri, 172);
    await waitFor('the newest probe at the slow drain', () => slow.frames.some((f) => routerLine(f, probes[probes.length - 1]!)), { timeoutMs: 30_000 });
  });

  test('a removed drain gets nothing more; drain URLs never appear in the services\' logs', async () => {
    const del = await p.api('DELETE', `/apps/${APP}/log-drains/${encodeURIComponent(drains.syslog!.url)}`);
    assert.equal(del.status, 200);
    assert.equal(del.body.id, drains.syslog!.id);
    assert.equal((await p.api('DELETE', `/apps/${APP}/log-drains/${drains.syslog!.id}`)).status, 404);
    // The drain list is reloaded on the removal event: soon a request reaches the HTTPS drain and not the syslog one.
    const seen = (frames: SyslogFrame[], path: string) => frames.some((f) => f.message.includes(`path="${path}"`));
    let i = 0;
    const gone = await waitFor('a probe at the HTTPS drain only', async () => {
      const path = `/after-removal-${i++}`;
      await p.viaRouter(APP, path);
      await waitFor(`${path} at the HTTPS drain`, () => seen(https.frames, path), { timeoutMs: 15_000 });
      return seen(syslog.frames, path) ? undefined : path;
    }, { timeoutMs: 30_000, intervalMs: 100 });
    const last = '/after-removal-last';
    await p.viaRouter(APP, last);
    await waitFor(`${last} at the HTTPS drain`, () => seen(https.frames, last), { timeoutMs: 15_000 });
    assert.ok(!seen(syslog.frames, gone) && !seen(syslog.frames, last), 'the removed syslog drain still gets lines');
    assert.ok(!p.logs.some((l) => l.includes(SECRET)), 'a drain password in the service logs');
    assert.deepEqual([...syslog.errors, ...syslogTls.errors, ...https.errors, ...slow.errors], []);
  });

  test('a drain whose certificate is not trusted gets nothing, and the app\'s log says why (L14)', async () => {
    // A certificate from another CA, one the api does not trust.
    const otherDir = await freshDataDir('drain-untrusted-');
    dirs.push(otherDir);
    const untrusted = await SyslogReceiver.start(await ensurePlatformTls(otherDir, ['127.0.0.1']));
    try {
      const added = await p.api('POST', `/apps/${APP}/log-drains`, { url: `syslog+tls://127.0.0.1:${untrusted.port}` });
      assert.equal(added.status, 201);
      const l14 = await waitFor('the L14 line at the HTTPS drain', async () => {
        await p.viaRouter(APP, '/untrusted-probe');
        return https.frames.find((f) => f.procId === 'logplex' && f.message.includes(added.body.token));
      }, { timeoutMs: 30_000, intervalMs: 500 });
      assert.match(l14.message, /^Error L14 \(certificate validation error\): drain d\.\S+ \(syslog\+tls:\/\/127\.0\.0\.1:\d+\): .*certificate/);
      assert.equal(l14.appName, 'heroku');
      assert.deepEqual(untrusted.frames, []);
      assert.equal((await p.api('DELETE', `/apps/${APP}/log-drains/${added.body.id}`)).status, 200);
    } finally {
      await untrusted.close();
    }
  });

  test('heroku drains, drains:add and drains:remove work unchanged', async () => {
    h = await HerokuCli.create(p.apiUrl, p.apiKey);
    // Port 1 on loopback: nothing listens there, so the api's tries stay on this machine.
    const url = 'syslog+tls://127.0.0.1:1';
    const added = await h.run(['drains:add', url, '-a', APP]);
    assert.equal(added.code, 0, added.out);
    assert.match(added.out, /Successfully added drain syslog\+tls:\/\/127\.0\.0\.1/);
    const listed = await h.run(['drains', '-a', APP]);
    assert.equal(listed.code, 0, listed.out);
    assert.ok(listed.out.includes(url), listed.out);
    assert.match(listed.out, new RegExp(`d\\.${UUID}`));
    const json = await h.run(['drains', '--json', '-a', APP]);
    assert.ok((JSON.parse(json.out) as { url: string }[]).some((d) => d.url === url), json.out);
    const removed = await h.run(['drains:remove', url, '-a', APP]);
    assert.equal(removed.code, 0, removed.out);
    assert.match(removed.out, /Successfully removed drain syslog\+tls:\/\/127\.0\.0\.1/);
    const bad = await h.run(['drains:add', 'ftp://logs.example.com', '-a', APP]);
    assert.notEqual(bad.code, 0);
    assert.match(bad.out, /syslog\+tls:\/\//);
  });
});
