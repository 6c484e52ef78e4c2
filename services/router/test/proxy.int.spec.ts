import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { request, type ServerResponse } from 'node:http';
import type { INestApplication } from '@nestjs/common';
import { names, parseLogLines } from '@paas/contracts';
import { connectNats, RouteTable, type NatsConnection } from '@paas/messaging';
import { cleanup, freshNamespace, waitFor } from '@paas/testing';
import { closedPort, dynoRoute, gate, routerSettings, startBackend, startRouter, viaRouter, type Backend } from './harness.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('router proxy: Host -> up web dyno, streamed, with Heroku headers, errors and log lines', () => {
  const ns = freshNamespace('rtr');
  const ids: Record<string, string> = {};
  const backends: Backend[] = [];
  const logs: { subject: string; message: { ts: string; source: string; dyno: string; line: string } }[] = [];
  const streamGate = gate();
  const uploadGate = gate();
  const pending: ServerResponse[] = [];
  let router: { app: INestApplication; port: number };
  let nc: NatsConnection;
  let routes: RouteTable;

  /** Puts an app with a web dyno per backend port into the route table. */
  async function app(name: string, ports: number[]): Promise<void> {
    ids[name] = randomUUID();
    await routes.putApp({ appId: ids[name], appName: name, maintenance: false });
    for (const [i, port] of ports.entries()) await routes.putDyno(dynoRoute(ids[name], name, i + 1, port));
  }
  async function backend(name: string, handler?: Parameters<typeof startBackend>[1]): Promise<Backend> {
    const b = await startBackend(name, handler);
    backends.push(b);
    return b;
  }
  const logLines = (appName: string) => logs.filter((l) => l.subject === names(ns).logSubject(ids[appName])).map((l) => l.message.line);

  before(async () => {
    nc = await connectNats(routerSettings(ns).messaging.natsUrl, 'router-test');
    nc.subscribe(`${ns}.logs.>`, { callback: (_, m) => { for (const l of parseLogLines(m.string())) logs.push({ subject: m.subject, message: l }); } });
    routes = await RouteTable.open(nc, names(ns));
    const echo = await backend('echo', (req, res) => { req.resume(); res.setHeader('content-type', 'application/json'); res.end(JSON.stringify(req.headers)); });
    await app('alpha', [echo.port]);
    await app('beta', [(await backend('beta')).port]);
    await app('duo', [(await backend('duo-1')).port, (await backend('duo-2')).port]);
    await app('idle', []);
    await app('maint', [(await backend('maint')).port]);
    await routes.putApp({ appId: ids.maint, appName: 'maint', maintenance: true });
    await app('halfdead', [await closedPort(), (await backend('live')).port]);
    await app('dead', [await closedPort()]);
    await app('hop', [(await backend('hop', (req, res) => {
      res.writeHead(200, { connection: 'keep-alive, x-hop', 'x-hop': '1', 'keep-alive': 'timeout=99', 'proxy-foo': 'p', 'x-app': 'kept' });
      res.end(JSON.stringify(req.headers));
    })).port]);
    await app('stream', [(await backend('stream', (req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('first;');
      void streamGate.promise.then(() => res.end('second'));
    })).port]);
    await app('upload', [(await backend('upload', (req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (c: string) => { body += c; if (body === 'part1;') uploadGate.open(); });
      req.on('end', () => res.end(`got ${body}`));
    })).port]);
    await app('slow', [(await backend('slow', (req, res) => { pending.push(res); })).port]);
    router = await startRouter(routerSettings(ns, { responseTimeoutMs: 1500 }));
  });

  after(async () => {
    await router?.app.close();
    for (const b of backends) await b.close();
    await nc?.close();
    await cleanup({ namespace: ns });
  });

  test('routes by Host (any case, with or without port) to that app\'s dyno', async () => {
    assert.equal((await viaRouter(router.port, `beta.localhost:${router.port}`)).body, 'beta');
    assert.equal((await viaRouter(router.port, 'BETA.LocalHost')).body, 'beta');
    assert.equal((await viaRouter(router.port, 'alpha.localhost')).headers['content-type'], 'application/json');
  });

  test('spreads requests at random over an app\'s two dynos', async () => {
    const bodies = [];
    for (let i = 0; i < 40; i++) bodies.push((await viaRouter(router.port, 'duo.localhost')).body);
    assert.ok(bodies.includes('duo-1') && bodies.includes('duo-2'), `both dynos answer: ${bodies.join(',')}`);
  });

  test('adds X-Forwarded-For/-Proto/-Port, X-Request-Start, Via and keeps a valid X-Request-Id', async () => {
    const before = Date.now();
    const r = await viaRouter(router.port, 'alpha.localhost', { headers: { 'x-forwarded-for': '203.0.113.9', 'x-request-id': 'client-Id_1+/=' } });
    const seen = JSON.parse(r.body);
    assert.equal(seen['x-forwarded-for'], '203.0.113.9, 127.0.0.1');
    assert.equal(seen['x-forwarded-proto'], 'http');
    assert.equal(seen['x-forwarded-port'], String(router.port));
    assert.ok(Number(seen['x-request-start']) >= before && Number(seen['x-request-start']) <= Date.now(), seen['x-request-start']);
    assert.equal(seen['x-request-id'], 'client-Id_1+/=');
    assert.equal(seen.via, '1.1 paas-router');
    assert.equal(seen.host, 'alpha.localhost');
    assert.equal(r.headers.via, '1.1 paas-router');
  });

  test('replaces an X-Request-Id that is too long or has other characters with a uuid', async () => {
    for (const bad of ['a'.repeat(201), 'not valid!']) {
      const seen = JSON.parse((await viaRouter(router.port, 'alpha.localhost', { headers: { 'x-request-id': bad } })).body);
      assert.match(seen['x-request-id'], UUID);
    }
    const seen = JSON.parse((await viaRouter(router.port, 'alpha.localhost')).body);
    assert.match(seen['x-request-id'], UUID, 'a request without one gets one');
  });

  test('removes hop-by-hop headers both ways', async () => {
    const r = await viaRouter(router.port, 'hop.localhost', {
      headers: { connection: 'close, x-drop', 'x-drop': '1', 'keep-alive': 'timeout=7', te: 'trailers', 'proxy-authorization': 'Basic eA==', upgrade: 'foo', 'x-end': 'kept' },
    });
    const seen = JSON.parse(r.body);
    for (const h of ['x-drop', 'te', 'proxy-authorization', 'upgrade']) assert.equal(seen[h], undefined, `request ${h}`);
    assert.notEqual(seen['keep-alive'], 'timeout=7');
    assert.equal(seen['x-end'], 'kept');
    for (const h of ['x-hop', 'proxy-foo', 'keep-alive']) assert.equal(r.headers[h], undefined, `response ${h}`);
    assert.equal(r.headers['x-app'], 'kept');
  });

  test('answers 404 "No such app" for a host that names no app', async () => {
    for (const host of ['nope.localhost', 'beta.example.com', `127.0.0.1:${router.port}`]) {
      const r = await viaRouter(router.port, host);
      assert.equal(r.status, 404, host);
      assert.match(r.body, /No such app/);
    }
  });

  test('answers 503 H14 for a known app without up web dynos, and logs it', async () => {
    const r = await viaRouter(router.port, 'idle.localhost', { headers: { 'x-request-id': 'h14-request' } });
    assert.equal(r.status, 503);
    assert.match(r.body, /No web processes running/);
    assert.match(r.body, /H14/);
    const line = await waitFor('the H14 log line', () => logLines('idle').find((l) => l.includes('request_id=h14-request')));
    assert.equal(line, 'at=error code=H14 desc="No web processes running" method=GET path="/" host=idle.localhost request_id=h14-request fwd="127.0.0.1" dyno= connect= service= status=503 bytes= protocol=http');
  });

  test('answers 503 H80 for an app in maintenance mode without bothering its dynos', async () => {
    const r = await viaRouter(router.port, 'maint.localhost');
    assert.equal(r.status, 503);
    assert.match(r.body, /Maintenance/);
    assert.equal(backends.find((b) => b.name === 'maint')!.seen.length, 0);
    await waitFor('the H80 log line', () => logLines('maint').find((l) => l.startsWith('at=error code=H80 desc="Maintenance mode"')));
  });

  test('streams a response as the dyno writes it: the first chunk arrives before the dyno ends', { timeout: 10_000 }, async () => {
    const r = await new Promise<{ body: string; chunked: boolean }>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: router.port, agent: false, headers: { host: 'stream.localhost' } }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => { body += c; if (body === 'first;') streamGate.open(); });
        res.on('end', () => resolve({ body, chunked: res.headers['transfer-encoding'] === 'chunked' }));
      });
      req.on('error', reject);
      req.end();
    });
    assert.equal(r.body, 'first;second');
    assert.ok(r.chunked, 'relayed chunked');
  });

  test('streams a POST body to the dyno: the dyno reads the first part before the client sends the rest', { timeout: 10_000 }, async () => {
    const body = await new Promise<string>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: router.port, method: 'POST', agent: false, headers: { host: 'upload.localhost' } }, (res) => {
        let b = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (b += c));
        res.on('end', () => resolve(b));
      });
      req.on('error', reject);
      req.write('part1;');
      void uploadGate.promise.then(() => req.end('part2'));
    });
    assert.equal(body, 'got part1;part2');
  });

  test('skips a dyno that refuses the connection for another one; with none left answers 503 H21', async () => {
    for (let i = 0; i < 20; i++) {
      const r = await viaRouter(router.port, 'halfdead.localhost');
      assert.deepEqual([r.status, r.body], [200, 'live']);
    }
    const dead = await viaRouter(router.port, 'dead.localhost');
    assert.equal(dead.status, 503);
    assert.match(dead.body, /H21/);
    await waitFor('the H21 log line', () => logLines('dead').find((l) => /^at=error code=H21 desc="Backend connection refused" .* dyno=web\.1 .*status=503/.test(l)));
  });

  test('answers 503 H12 when the dyno does not start its response in time', async () => {
    const r = await viaRouter(router.port, 'slow.localhost', { headers: { 'x-request-id': 'slow-one' } });
    assert.equal(r.status, 503);
    assert.match(r.body, /H12/);
    await waitFor('the H12 log line', () => logLines('slow').find((l) => l.startsWith('at=error code=H12 desc="Request timeout"') && l.includes('request_id=slow-one')));
  });

  test('survives a client that leaves mid-request: the dyno\'s request is cut, H27 is logged, serving goes on', async () => {
    const req = request({ host: '127.0.0.1', port: router.port, agent: false, headers: { host: 'slow.localhost', 'x-request-id': 'gone-client' } });
    req.on('error', () => undefined);
    req.end();
    const res = await waitFor('the dyno to get the request', () => pending.find((p) => p.req.headers['x-request-id'] === 'gone-client'));
    const cut = new Promise((resolve) => res.on('close', resolve));
    req.destroy();
    await cut;
    await waitFor('the H27 log line', () => logLines('slow').find((l) => l.startsWith('at=error code=H27') && l.includes('request_id=gone-client') && l.includes('status=499')));
    assert.equal((await viaRouter(router.port, 'beta.localhost')).body, 'beta');
  });

  test('publishes one heroku[router] line per served request to the app\'s log subject', async () => {
    await viaRouter(router.port, 'beta.localhost', { path: '/logged?x=1', headers: { 'x-request-id': 'log-me' } });
    const entry = await waitFor('the log line', () => logs.find((l) => l.message.line.includes('request_id=log-me')));
    assert.equal(entry.subject, names(ns).logSubject(ids.beta));
    assert.deepEqual([entry.message.source, entry.message.dyno], ['heroku', 'router']);
    assert.ok(!Number.isNaN(Date.parse(entry.message.ts)));
    assert.match(entry.message.line, /^at=info method=GET path="\/logged\?x=1" host=beta\.localhost request_id=log-me fwd="127\.0\.0\.1" dyno=web\.1 connect=\d+ms service=\d+ms status=200 bytes=4 protocol=http$/);
    assert.equal(logs.filter((l) => l.message.line.includes('request_id=log-me')).length, 1);
  });
});
