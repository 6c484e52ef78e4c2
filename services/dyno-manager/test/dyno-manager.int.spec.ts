import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { INestApplication } from '@nestjs/common';
import { DynoStateChanged, ListDynos, names, type DynoInfo, type EventOf } from '@paas/contracts';
import { connectNats, RouteTable, RpcClient, type NatsConnection, type RouteChange } from '@paas/messaging';
import { cleanup, freshDataDir, freshNamespace, testMessagingSettings, waitFor } from '@paas/testing';
import { createDynoManagerApp, dynoManagerSettingsFromEnv, stopAllProcessDynos, type DynoManagerSettings } from '../src/index.js';
import { isAlive, readStates } from '../src/adapters/runtime/process-state.js';
import { FakeReleaseService, makeSlug } from './support.js';

type StateChange = EventOf<typeof DynoStateChanged>;

describe('dyno-manager with the process runtime, against real NATS and real processes', () => {
  const ns = freshNamespace('dm');
  let dataDir: string;
  let settings: DynoManagerSettings;
  let app: INestApplication | undefined;
  let nc: NatsConnection;
  let rpc: RpcClient;
  let routes: RouteTable;
  let release: FakeReleaseService;
  const changes: StateChange[] = [];
  const logLines: { source: string; dyno: string; line: string }[] = [];
  const routeLog: RouteChange[] = [];
  let stopWatch = () => {};

  const dynos = () => rpc.request(ListDynos, { appId: release.appId });
  const upOn = (version: number, count: number) => waitFor(`${count} up web dynos on v${version}`, async () => {
    const all = await dynos();
    const up = all.filter((d) => d.state === 'up' && d.releaseVersion === version);
    return up.length === count && all.length === count ? up.sort((a, b) => a.name.localeCompare(b.name)) : undefined;
  }, { timeoutMs: 30_000 });
  const answer = async (d: DynoInfo, path = '/') => (await fetch(`http://${d.host}:${d.port}${path}`)).text();
  const states = async () => (await readStates(dataDir)).flatMap((s) => (s.state ? [s.state] : []));

  before(async () => {
    dataDir = await freshDataDir('paas-dm-');
    settings = {
      ...dynoManagerSettingsFromEnv({ PAAS_DATA_DIR: dataDir, PAAS_RUNTIME: 'process', PAAS_DYNO_STOP_GRACE_MS: '3000', PAAS_BOOT_TIMEOUT_MS: '20000', PAAS_RESTART_BACKOFF_MS: '200', PAAS_RESTART_BACKOFF_MAX_MS: '2000' }),
      messaging: testMessagingSettings(ns),
    };
    nc = await connectNats(settings.messaging.natsUrl, 'dyno-manager-test');
    rpc = new RpcClient(nc, names(ns), 'api', 5000);
    release = new FakeReleaseService(nc, ns, 'myapp');
    const events = nc.subscribe(names(ns).eventFilter('DynoStateChanged'));
    void (async () => { for await (const m of events) changes.push(m.json<StateChange>()); })();
    const logs = nc.subscribe(names(ns).logSubject(release.appId));
    void (async () => { for await (const m of logs) logLines.push(m.json()); })();
    app = await createDynoManagerApp(settings);
    routes = await RouteTable.open(nc, names(ns));
    stopWatch = (await routes.watch((c) => routeLog.push(c))).stop;
  });

  after(async () => {
    stopWatch();
    await app?.close().catch(() => undefined);
    if (dataDir) await stopAllProcessDynos(dataDir);
    await nc?.close();
    await cleanup({ namespace: ns, dataDir });
  });

  test('release v1 without a slug: the app is routed (so the router can answer H14) and nothing runs', async () => {
    await release.release(1, null, {});
    await waitFor('the app route', async () => (await routes.keys('app.>')).includes('app.myapp'));
    assert.deepEqual(await dynos(), []);
  });

  test('a release with a slug and web=2: two dynos answer with the config var, are routed and announced up', async () => {
    await release.release(2, await makeSlug(dataDir, release.appId), { GREETING: 'hello' });
    await release.scale([{ type: 'web', quantity: 2, size: 'basic' }]);
    const [web1, web2] = await upOn(2, 2);
    assert.deepEqual([web1.name, web2.name], ['web.1', 'web.2']);
    assert.match(await answer(web1), /^hello from web\.1 /);
    assert.match(await answer(web2), /^hello from web\.2 /);
    assert.notEqual(web1.port, web2.port);

    const routed = await waitFor('both dyno routes', async () => {
      const r = await routes.dynos('myapp');
      return r.length === 2 ? r : undefined;
    });
    assert.deepEqual(routed.map((r) => [r.dyno, r.port, r.state, r.releaseVersion]).sort(), [['web.1', web1.port, 'up', 2], ['web.2', web2.port, 'up', 2]]);
    for (const d of [web1, web2]) {
      const seen = changes.filter((c) => c.data.dyno.id === d.id).map((c) => [c.data.from, c.data.to]);
      assert.deepEqual(seen, [[null, 'starting'], ['starting', 'up']]);
    }
    await waitFor('the dyno output on the app log subject', () => logLines.find((l) => l.source === 'app' && l.dyno === 'web.1' && /^listening on \d+$/.test(l.line)));
  });

  test('ListDynos describes each dyno', async () => {
    const list = await dynos();
    const web1 = list.find((d) => d.name === 'web.1')!;
    assert.equal(web1.appId, release.appId);
    assert.equal(web1.appName, 'myapp');
    assert.equal(web1.type, 'web');
    assert.equal(web1.command, 'node server.js');
    assert.equal(web1.size, 'basic');
    assert.equal(web1.state, 'up');
    assert.equal(web1.releaseVersion, 2);
    assert.equal(web1.host, '127.0.0.1');
    assert.ok(Date.parse(web1.createdAt) <= Date.parse(web1.updatedAt));
    assert.deepEqual(await rpc.request(ListDynos, { appId: '00000000-0000-4000-8000-00000000abcd' }), []);
  });

  test('a new release: new dynos are up before the old ones stop, so a web route is always there', async () => {
    const old = await dynos();
    const from = routeLog.length;
    await release.release(3, await makeSlug(dataDir, release.appId), { GREETING: 'bonjour' });
    const fresh = await upOn(3, 2);
    const ids = fresh.map((d) => d.id).sort();
    await waitFor('only the new dynos left on disk', async () => JSON.stringify((await states()).map((s) => s.id).sort()) === JSON.stringify(ids));
    for (const d of fresh) assert.match(await answer(d), /^bonjour from web\.\d /);
    await waitFor('the routes to be the new dynos', async () => JSON.stringify((await routes.dynos('myapp')).map((r) => r.dynoId).sort()) === JSON.stringify(ids));
    await waitFor('the route watch to see the old routes deleted', () => old.every((d) => routeLog.some((c) => c.kind === 'dyno' && c.dynoId === d.id && !c.route)));
    const live = new Map(old.map((d) => [d.id, d.name]));
    for (const c of routeLog.slice(from).filter((c) => c.kind === 'dyno')) {
      if (c.kind !== 'dyno') continue;
      if (c.route) live.set(c.dynoId, c.route.dyno);
      else live.delete(c.dynoId);
      for (const name of ['web.1', 'web.2']) assert.ok([...live.values()].includes(name), `${name} had no up route after a change of ${c.dynoId}`);
    }
    assert.deepEqual([...live.keys()].sort(), fresh.map((d) => d.id).sort());
    for (const d of old) {
      const up = changes.findIndex((c) => c.data.dyno.name === d.name && c.data.dyno.releaseVersion === 3 && c.data.to === 'up');
      const down = changes.findIndex((c) => c.data.dyno.id === d.id && c.data.to === 'down');
      assert.ok(up >= 0 && down > up, `the v3 ${d.name} was up (event ${up}) before the v2 one went down (event ${down})`);
    }
  });

  test('a dyno that crashes is restarted at once on its first crash', async () => {
    const web1 = (await dynos()).find((d) => d.name === 'web.1')!;
    const before = (await states()).find((s) => s.id === web1.id)!;
    await answer(web1, '/crash');
    const crash = await waitFor('the crash event', () => changes.find((c) => c.data.dyno.id === web1.id && c.data.to === 'crashed'));
    assert.equal(crash.data.exitCode, 3);
    await waitFor('web.1 up again', () => changes.filter((c) => c.data.dyno.id === web1.id && c.data.to === 'up').length === 2);
    const [again] = (await upOn(3, 2)).filter((d) => d.name === 'web.1');
    assert.equal(again.id, web1.id);
    assert.match(await answer(again), /^bonjour from web\.1 /);
    const after = (await states()).find((s) => s.id === web1.id)!;
    assert.notEqual(after.pid, before.pid);
  });

  test('a restarted manager adopts the running dynos: same processes, no doubles, routes kept', async () => {
    const running = (await states()).sort((a, b) => a.id.localeCompare(b.id));
    assert.equal(running.length, 2);
    await app!.close();
    app = undefined;
    for (const s of running) assert.ok(await isAlive(s), `${s.name} (pid ${s.pid}) outlives the manager`);

    const asked = release.requests;
    const appRoutes = routeLog.filter((c) => c.kind === 'app').length;
    app = await createDynoManagerApp(settings);
    await waitFor('the new manager to sync and route the app again', () => release.requests > asked && routeLog.filter((c) => c.kind === 'app').length > appRoutes);
    const list = await upOn(3, 2);
    assert.deepEqual(list.map((d) => d.id).sort(), running.map((s) => s.id));
    const now = (await states()).sort((a, b) => a.id.localeCompare(b.id));
    assert.deepEqual(now.map((s) => [s.id, s.pid]), running.map((s) => [s.id, s.pid]));
    assert.equal((await routes.dynos('myapp')).length, 2);
    assert.ok(!changes.some((c) => c.data.to === 'starting' && c.data.dyno.releaseVersion === 3 && !running.some((s) => s.id === c.data.dyno.id)));
  });

  test('scaling to 0 stops the processes and removes their routes, the app stays routed', async () => {
    const running = await states();
    await release.scale([{ type: 'web', quantity: 0, size: 'basic' }]);
    await waitFor('both dynos down', () => running.every((s) => changes.some((c) => c.data.dyno.id === s.id && c.data.to === 'down')));
    assert.deepEqual(await dynos(), []);
    for (const s of running) assert.equal(await isAlive(s), false, `${s.name} (pid ${s.pid}) is gone`);
    assert.deepEqual(await states(), []);
    const down = changes.find((c) => c.data.dyno.id === running[0].id && c.data.to === 'down')!;
    assert.deepEqual([down.data.from, down.data.reason], ['up', 'scaled down']);
    await waitFor('no dyno routes', async () => (await routes.dynos('myapp')).length === 0);
    assert.ok((await routes.keys('app.>')).includes('app.myapp'));
  });

  test('AppDestroyed stops every dyno and deletes the app routes', async () => {
    await release.scale([{ type: 'web', quantity: 1, size: 'basic' }]);
    await upOn(3, 1);
    const running = await states();
    await release.destroy();
    await waitFor('the app route to be gone', async () => (await routes.keys()).filter((k) => k.includes('.myapp')).length === 0);
    assert.deepEqual(await dynos(), []);
    assert.deepEqual(await states(), []);
    for (const s of running) assert.equal(await isAlive(s), false, `${s.name} (pid ${s.pid}) is gone`);
    const down = changes.find((c) => c.data.dyno.id === running[0].id && c.data.to === 'down');
    assert.equal(down?.data.reason, 'app destroyed');
  });
});
