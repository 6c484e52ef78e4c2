import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { request, type IncomingHttpHeaders } from 'node:http';
import { connect } from 'node:net';
import { waitFor } from '@paas/testing';
import { git, repoWith } from './git.js';
import { freePort, Platform } from './platform.js';
import { crasherApp, labApp } from './router-apps.js';
import { parseSse } from './sse.js';

/** What one request through the router came back with; `cut` when the connection ended without a whole response. */
interface Answer { status: number; headers: IncomingHttpHeaders; body: string; cut: boolean }

describe('the router, end to end: every answer provoked by a real app behind a real platform', () => {
  let p: Platform;
  const repos: string[] = [];
  let labDir: string;

  /** One request through the router (port given, else the platform's). */
  const send = (host: string, path = '/', o: { method?: string; headers?: Record<string, string>; body?: Buffer | string; port?: number; signal?: AbortSignal } = {}) =>
    new Promise<Answer>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: o.port ?? p.routerPort, path, method: o.method ?? 'GET', headers: { host, ...o.headers }, signal: o.signal }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body, cut: false }));
        res.on('error', () => resolve({ status: res.statusCode!, headers: res.headers, body, cut: true }));
        res.on('aborted', () => resolve({ status: res.statusCode!, headers: res.headers, body, cut: true }));
      });
      req.on('error', reject);
      req.end(o.body);
    });
  const host = (app: string) => `${app}.localhost`;

  /** The app's heroku[router] lines so far. */
  const routerLines = async (app: string): Promise<string[]> => {
    const s = await p.api('POST', `/apps/${app}/log-sessions`, { lines: 1500, source: 'heroku', dyno: 'router' });
    assert.equal(s.status, 201, JSON.stringify(s.body));
    const text = await (await fetch(s.body.logplex_url, { headers: { accept: 'text/event-stream' } })).text();
    return parseSse(text).filter((b) => b.data !== undefined).map((b) => b.data!);
  };
  /** Waits for a router line of the app matching every pattern. */
  const routerLine = (app: string, ...patterns: RegExp[]) => waitFor(`a heroku[router] line of ${app} matching ${patterns.join(' ')}`, async () =>
    (await routerLines(app)).find((l) => patterns.every((re) => re.test(l))), { timeoutMs: 20_000 });

  const deploy = async (app: string, files: Record<string, string>, waitUp = true) => {
    assert.equal((await p.api('POST', '/apps', { name: app })).status, 201);
    const dir = await repoWith(files);
    repos.push(dir);
    const push = await p.push(dir, app);
    if (waitUp) {
      assert.equal(push.code, 0, push.output);
      await waitFor(`${app} to answer through the router`, async () => (await send(host(app))).status === 200);
    }
    return dir;
  };

  before(async () => {
    p = await Platform.start({
      PAAS_ROUTER_CONNECT_TIMEOUT_MS: '500', PAAS_ROUTER_RESPONSE_TIMEOUT_MS: '1500', PAAS_ROUTER_IDLE_TIMEOUT_MS: '1500',
      // A crashing dyno restarts once at once, then stays crashed for the rest of the test.
      PAAS_RESTART_BACKOFF_MS: '120000', PAAS_PUSH_VERIFY_TIMEOUT_MS: '5000',
    });
    labDir = await deploy('lab', labApp);
  });

  after(async () => {
    await p?.stop();
    await Promise.all(repos.map((d) => rm(d, { recursive: true, force: true })));
  });

  test('headers: forwarded ones set, a valid X-Request-Id kept, an invalid one replaced, hop-by-hop removed both ways', async () => {
    const r = await send(host('lab'), '/headers', { headers: { 'x-forwarded-for': '203.0.113.9', 'x-request-id': 'abc-123_=/+', connection: 'x-drop-me', 'x-drop-me': '1' } });
    assert.equal(r.status, 200);
    const { headers: h } = JSON.parse(r.body) as { headers: Record<string, string> };
    assert.equal(h['x-forwarded-for'], '203.0.113.9, 127.0.0.1');
    assert.equal(h['x-forwarded-proto'], 'http');
    assert.equal(h['x-forwarded-port'], String(p.routerPort));
    assert.equal(h['x-request-id'], 'abc-123_=/+');
    assert.ok(Math.abs(Number(h['x-request-start']) - Date.now()) < 60_000, h['x-request-start']);
    assert.match(h.via ?? '', /vegur|paas/);
    assert.equal(h['x-drop-me'], undefined);
    assert.equal(r.headers['x-secret-hop'], undefined);

    const bad = await send(host('lab'), '/headers', { headers: { 'x-request-id': 'no spaces allowed!' } });
    assert.match((JSON.parse(bad.body) as { headers: Record<string, string> }).headers['x-request-id']!, /^[0-9a-f-]{36}$/);
    await routerLine('lab', /at=info method=GET path="\/headers"/, /request_id=abc-123_=\/\+/, /dyno=web\.1/, /status=200/, /protocol=http/);
  });

  test('HTTP/1.0 and Expect: 100-continue are handled', async () => {
    const raw = (head: string, body = '') => new Promise<string>((resolve, reject) => {
      const s = connect(p.routerPort, '127.0.0.1');
      let out = '';
      s.on('data', (d) => {
        out += d;
        // An interim 100 comes first; the body follows it once it was seen.
        if (body && out.includes('100 Continue') && !sent) {
          sent = true;
          s.write(body);
        }
      });
      // The client keeps its side open (no half-close): the router closes once the answer is whole.
      let sent = false;
      s.on('close', () => resolve(out));
      s.on('error', reject);
      s.write(head);
    });
    const old = await raw(`GET / HTTP/1.0\r\nHost: ${host('lab')}\r\n\r\n`);
    assert.match(old, /^HTTP\/1\.[01] 200 OK/);
    assert.doesNotMatch(old, /transfer-encoding: chunked/i);
    assert.match(old, /lab r1 from web\.1$/);

    const cont = await raw(`POST /upload HTTP/1.1\r\nHost: ${host('lab')}\r\nContent-Length: 5\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n`, 'hello');
    assert.match(cont, /^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 200 OK/);
    assert.match(cont, /\r\n\r\n5$/);
  });

  test('limits: a request line over 8192 bytes is 414 and too many headers 431, each with an H25 line', async () => {
    const long = await send(host('lab'), `/${'a'.repeat(8200)}`);
    assert.equal(long.status, 414);
    const many: Record<string, string> = {};
    for (let i = 0; i < 1001; i++) many[`x-h${i}`] = '1';
    assert.equal((await send(host('lab'), '/', { headers: many })).status, 431);
    await routerLine('lab', /code=H25/, /status=414/);
  });

  test('H12: no response in time', async () => {
    const r = await send(host('lab'), '/sleep?ms=5000');
    assert.equal(r.status, 503);
    assert.match(r.body, /H12/);
    await routerLine('lab', /at=error code=H12 desc="Request timeout"/, /path="\/sleep\?ms=5000"/, /status=503/);
  });

  test('H15: a started response idle too long is cut', async () => {
    const r = await send(host('lab'), '/stall');
    assert.equal(r.status, 200);
    assert.equal(r.cut, true);
    await routerLine('lab', /code=H15 desc="Idle connection"/);
  });

  test('H13: the dyno closed the connection without a response', async () => {
    const r = await send(host('lab'), '/close');
    assert.equal(r.status, 503);
    await routerLine('lab', /code=H13 desc="Connection closed without response"/);
  });

  test('H18: the dyno closed mid-response, and the client sees a cut connection, not a whole body', async () => {
    const r = await send(host('lab'), '/half');
    assert.equal(r.status, 200);
    assert.equal(r.cut, true);
    assert.equal(r.body, 'only the start');
    await routerLine('lab', /code=H18 desc="Server Request Interrupted"/);
  });

  test('H27: a client that leaves before the response is logged with status 499', async () => {
    const gone = new AbortController();
    const pending = send(host('lab'), '/sleep?ms=1000', { signal: gone.signal }).catch((err: Error) => err);
    await waitFor('the request to reach the dyno', async () => (await routerLines('lab')).length > 0);
    setImmediate(() => gone.abort());
    assert.ok((await pending) instanceof Error);
    await routerLine('lab', /code=H27 desc="Client Request Interrupted"/, /status=499/);
  });

  test('WebSocket-style upgrades are tunnelled both ways', async () => {
    const echoed = await new Promise<string>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: p.routerPort, path: '/', headers: { host: host('lab'), connection: 'Upgrade', upgrade: 'echo' } });
      req.on('upgrade', (res, socket) => {
        assert.equal(res.statusCode, 101);
        let got = '';
        socket.on('data', (d) => {
          got += d;
          if (got === 'ping-pong') { socket.destroy(); resolve(got); }
        });
        socket.write('ping-');
        socket.write('pong');
      });
      req.on('error', reject);
      req.end();
    });
    assert.equal(echoed, 'ping-pong');
  });

  test('server-sent events arrive as they are written, and a 1 GB upload streams through with flat router memory', async () => {
    const events = await new Promise<number[]>((resolve, reject) => {
      const at: number[] = [];
      request({ host: '127.0.0.1', port: p.routerPort, path: '/sse', headers: { host: host('lab') } }, (res) => {
        res.on('data', () => at.push(Date.now()));
        res.on('end', () => resolve(at));
      }).on('error', reject).end();
    });
    // Five events 30 ms apart: had the router buffered, they would arrive in one piece at the end.
    assert.ok(events.length >= 3, `events arrived in ${events.length} piece(s)`);

    const rssBefore = await rssKb(p.pid('router'));
    const chunk = Buffer.alloc(1 << 20, 97);
    const total = 1024;
    let peak = rssBefore;
    const uploaded = await new Promise<string>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: p.routerPort, path: '/upload', method: 'POST', headers: { host: host('lab'), 'content-length': String(total * chunk.length) } }, (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve(body));
      });
      req.on('error', reject);
      let sent = 0;
      const pump = (): void => {
        while (sent < total) {
          sent++;
          if (sent % 128 === 0) void rssKb(p.pid('router')).then((kb) => { peak = Math.max(peak, kb); });
          if (!req.write(chunk)) return void req.once('drain', pump);
        }
        req.end();
      };
      pump();
    });
    assert.equal(uploaded, String(total * chunk.length));
    peak = Math.max(peak, await rssKb(p.pid('router')));
    // Flat: the router's memory grows by far less than what passed through it (1 GiB).
    assert.ok(peak - rssBefore < 150 * 1024, `router RSS grew by ${Math.round((peak - rssBefore) / 1024)} MiB during a 1 GiB upload`);
  });

  test('custom domains route to their app, wildcards included, and stop routing once removed', async () => {
    assert.equal((await p.api('POST', '/apps/lab/domains', { hostname: 'www.lab-example.com' })).status, 201);
    assert.equal((await p.api('POST', '/apps/lab/domains', { hostname: '*.lab-wild.org' })).status, 201);
    await waitFor('both custom domains to route', async () => (await send('www.lab-example.com')).status === 200 && (await send('any.lab-wild.org')).status === 200);
    assert.match((await send('WWW.Lab-Example.com:80')).body, /^lab r1/);
    assert.match((await send('any.lab-wild.org')).body, /^lab r1/);
    assert.equal((await send('a.b.lab-wild.org')).status, 404);
    await routerLine('lab', /host=www\.lab-example\.com/, /status=200/);

    assert.equal((await p.api('DELETE', '/apps/lab/domains/www.lab-example.com')).status, 200);
    await waitFor('the removed domain to stop routing', async () => (await send('www.lab-example.com')).status === 404);
    assert.equal((await send('any.lab-wild.org')).status, 200);
  });

  test('maintenance mode answers H80 with the maintenance page until it is turned off', async () => {
    const on = await p.api('PATCH', '/apps/lab', { maintenance: true });
    assert.equal(on.status, 200, JSON.stringify(on.body));
    assert.equal(on.body.maintenance, true);
    assert.equal((await p.api('GET', '/apps/lab')).body.maintenance, true);
    const page = await waitFor('maintenance mode to reach the router', async () => {
      const r = await send(host('lab'));
      return r.status === 503 ? r : undefined;
    });
    assert.match(page.body, /Offline for Maintenance/);
    await routerLine('lab', /code=H80 desc="Maintenance mode"/);

    assert.equal((await p.api('PATCH', '/apps/lab', { maintenance: false })).body.maintenance, false);
    await waitFor('the app to answer again', async () => (await send(host('lab'))).status === 200);
    const bad = await p.api('PATCH', '/apps/lab', { maintenance: 'yes' });
    assert.equal(bad.status, 422);
    assert.equal(bad.body.message, 'maintenance: send true or false');
    assert.equal((await p.api('GET', '/apps/lab')).body.maintenance, false);
    const rename = await p.api('PATCH', '/apps/lab', { name: 'other-name' });
    assert.equal(rename.status, 422);
    assert.match(rename.body.message, /Renaming an app is not supported/);
  });

  test('two routers side by side serve the same table and follow the same changes', async () => {
    const port = await freePort();
    await p.startRouter(port);
    assert.match((await send(host('lab'), '/', { port })).body, /^lab r1 from web\.1/);
    assert.equal((await p.api('POST', '/apps/lab/domains', { hostname: 'two.lab-example.com' })).status, 201);
    await waitFor('both routers to route the new domain', async () =>
      (await send('two.lab-example.com')).status === 200 && (await send('two.lab-example.com', '/', { port })).status === 200);
  });

  test('a redeploy and a config change under a bounded stream of requests fail none of them', async () => {
    const results: number[] = [];
    const failures: string[] = [];
    let stop = false;
    const stream = (async () => {
      // At most 3000 requests or until both changes are live, whichever is first.
      for (let i = 0; i < 3000 && !stop; i++) {
        const r = await send(host('lab')).catch((err: Error) => ({ status: 0, body: err.message }));
        results.push(r.status);
        if (r.status !== 200) failures.push(r.body.slice(0, 300));
      }
    })();
    await writeFile(join(labDir, 'NOTES'), 'a second deploy\n');
    assert.equal((await git(labDir, 'add', '-A')).code, 0);
    assert.equal((await git(labDir, 'commit', '--quiet', '-m', 'second')).code, 0);
    const push = await p.push(labDir, 'lab');
    assert.equal(push.code, 0, push.output);
    assert.equal((await p.api('PATCH', '/apps/lab/config-vars', { RELEASE: 'r2' })).status, 200);
    await waitFor('the config change to be served', async () => /^lab r2/.test((await send(host('lab'))).body), { timeoutMs: 60_000 });
    stop = true;
    await stream;
    assert.ok(results.length > 10, `only ${results.length} requests were sent`);
    assert.deepEqual(results.filter((s) => s !== 200), [], `${failures.length} of ${results.length} requests failed: ${failures.join(' | ')}`);
  });

  test('H21 then H19: a dyno that refuses, then one that never accepts, each with a quarantine and an error line', async () => {
    await deploy('lab-refuse', labApp);
    assert.equal((await send(host('lab-refuse'), '/stop-listening')).status, 200);
    // A request that raced the app's own close gets H13; once it stopped listening, H21.
    const refused = await waitFor('a refused connection', async () => {
      const r = await send(host('lab-refuse'));
      return /H21/.test(r.body) ? r : undefined;
    });
    assert.equal(refused.status, 503);
    assert.match(refused.body, /H21/);
    await routerLine('lab-refuse', /code=H21 desc="Backend connection refused"/);

    await deploy('lab-full', labApp);
    assert.equal((await send(host('lab-full'), '/stop-accepting')).status, 200);
    // Between the app's two listeners connections are refused for a moment (H21): wait for H19.
    const timedOut = await waitFor('a connect timeout', async () => {
      const r = await send(host('lab-full'));
      return /H19/.test(r.body) ? r : undefined;
    });
    assert.equal(timedOut.status, 503);
    assert.match(timedOut.body, /H19/);
    await routerLine('lab-full', /code=H19 desc="Backend connection timeout"/);
  });

  test('H10 when every web dyno crashed, H14 when none runs', async () => {
    await deploy('crasher', crasherApp, false);
    const crashed = await waitFor('the crashed app to answer H10', async () => {
      const r = await send(host('crasher'));
      return /H10/.test(r.body) ? r : undefined;
    }, { timeoutMs: 60_000 });
    assert.equal(crashed.status, 503);
    await routerLine('crasher', /code=H10 desc="App crashed"/);

    assert.equal((await p.api('PATCH', '/apps/crasher/formation', { updates: [{ type: 'web', quantity: 0 }] })).status, 200);
    await waitFor('H14 once nothing runs', async () => /H14/.test((await send(host('crasher'))).body), { timeoutMs: 30_000 });
    await routerLine('crasher', /code=H14 desc="No web processes running"/);
  });
});

/** A process's resident memory in KiB, from /proc. */
async function rssKb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0);
}
