import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { names, parseLogLines } from '@paas/contracts';
import { connectNats, RouteTable, type NatsConnection } from '@paas/messaging';
import { cleanup, freshNamespace, waitFor } from '@paas/testing';
import { dynoRoute, routerSettings, startBackend, startRouter, viaRouter, type Backend } from './harness.js';

describe('router H15: a started response with no byte either way for the idle timeout is cut', () => {
  const ns = freshNamespace('rtridle');
  const ids: Record<string, string> = {};
  const backends: Backend[] = [];
  const timers: NodeJS.Timeout[] = [];
  const logs: { subject: string; line: string }[] = [];
  let router: { app: INestApplication; port: number };
  let nc: NatsConnection;
  let routes: RouteTable;
  const logLines = (app: string) => logs.filter((l) => l.subject === names(ns).logSubject(ids[app])).map((l) => l.line);

  async function app(name: string, handler: Parameters<typeof startBackend>[1]): Promise<void> {
    const b = await startBackend(name, handler);
    backends.push(b);
    ids[name] = randomUUID();
    await routes.putApp({ appId: ids[name], appName: name, maintenance: false });
    await routes.putDyno(dynoRoute(ids[name], name, 1, b.port));
  }

  before(async () => {
    nc = await connectNats(routerSettings(ns).messaging.natsUrl, 'router-idle-test');
    nc.subscribe(`${ns}.logs.>`, { callback: (_, m) => { for (const l of parseLogLines(m.string())) logs.push({ subject: m.subject, line: l.line }); } });
    routes = await RouteTable.open(nc, names(ns));
    // Headers and one chunk, then silence.
    await app('silent', (req, res) => { req.resume(); res.writeHead(200); res.write('first'); });
    // A chunk every 60 ms, 12 of them: 720 ms in all, far past the 300 ms idle window, never idle.
    await app('chatty', (req, res) => {
      req.resume();
      res.writeHead(200);
      let n = 0;
      const t = setInterval(() => {
        res.write(`${n};`);
        if (++n === 12) { clearInterval(t); res.end(); }
      }, 60);
      timers.push(t);
    });
    router = await startRouter(routerSettings(ns, { idleTimeoutMs: 300 }));
  });

  after(async () => {
    for (const t of timers) clearInterval(t);
    await router?.app.close();
    for (const b of backends) await b.close();
    await nc?.close();
    await cleanup({ namespace: ns });
  });

  test('a dyno that goes silent after its first chunk gets both connections closed and an H15 line', async () => {
    await assert.rejects(viaRouter(router.port, 'silent.localhost', { headers: { 'x-request-id': 'idle-one' } }));
    const line = await waitFor('the H15 log line', () => logLines('silent').find((l) => l.includes('request_id=idle-one')));
    assert.match(line, /^at=error code=H15 desc="Idle connection" .* dyno=web\.1 .*status=200 bytes=5 /);
  });

  test('a dyno that keeps sending more often than the idle timeout is not cut', async () => {
    const answer = await viaRouter(router.port, 'chatty.localhost', { headers: { 'x-request-id': 'chatty-one' } });
    assert.equal(answer.body, '0;1;2;3;4;5;6;7;8;9;10;11;');
    const line = await waitFor('the log line', () => logLines('chatty').find((l) => l.includes('request_id=chatty-one')));
    assert.match(line, /^at=info /);
  });
});
