import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import Docker from 'dockerode';
import type { INestApplication } from '@nestjs/common';
import {
  AttachDyno, attachSubjects, DynoStateChanged, ListDynos, names, RunDyno, StopDynos, type AttachExit, type DynoInfo, type EventOf,
} from '@paas/contracts';
import { connectNats, RouteTable, RpcClient, type NatsConnection } from '@paas/messaging';
import { cleanup, freshDataDir, freshNamespace, testMessagingSettings, waitFor } from '@paas/testing';
import { createDynoManagerApp, dynoManagerSettingsFromEnv, type DynoManagerSettings } from '../src/index.js';
import { removeDockerDynos } from '../src/adapters/runtime/stack-image.js';
import { isAlive, readStates, signalGroup, stopAllProcessDynos } from '../src/adapters/runtime/process-state.js';
import { FakeReleaseService, makeSlug } from './support.js';

type StateChange = EventOf<typeof DynoStateChanged>;

const TYPES = {
  web: 'node server.js',
  worker: 'node worker.js',
  stubborn: `node -e "process.on('SIGTERM', () => console.log('not stopping')); setInterval(() => {}, 1000)"`,
  hog: `python3 -c "b = b'x' * (300 * 1024 * 1024)"`,
  heavy: `python3 -c "import time; b = b'x' * (90 * 1024 * 1024); print('holding', flush=True); time.sleep(600)"`,
};

/** One running dyno instance as its runtime knows it: a container, or a process group. */
interface Instance { id: string; dyno: string; dynoId: string; state: 'running' | 'exited' }

/** The dyno lifecycle through the whole manager, for each runtime driver. */
for (const runtime of ['process', 'docker'] as const) describe(`dyno-manager with the ${runtime} runtime: formation, crashes, limits, stops, one-offs, adoption`, () => {
  const ns = freshNamespace('dmd');
  const docker = new Docker();
  let dataDir: string;
  let settings: DynoManagerSettings;
  let app: INestApplication | undefined;
  let nc: NatsConnection;
  let rpc: RpcClient;
  let routes: RouteTable;
  let release: FakeReleaseService;
  const changes: StateChange[] = [];
  const logLines: { source: string; dyno: string; line: string }[] = [];

  const dynos = () => rpc.request(ListDynos, { appId: release.appId });
  /** Containers, or process groups (by leader pid): what really runs. */
  const containers = async (): Promise<Instance[]> => runtime === 'docker'
    ? (await docker.listContainers({ all: true, filters: { label: [`paas.scope=${ns}`, 'paas.dyno-id'] } }))
      .map((c) => ({ id: c.Id, dyno: c.Labels['paas.dyno'], dynoId: c.Labels['paas.dyno-id'], state: c.State === 'running' ? 'running' : 'exited' }))
    : Promise.all((await readStates(dataDir)).flatMap((s) => (s.state ? [s.state] : []))
      .map(async (s) => ({ id: String(s.pid), dyno: s.name, dynoId: s.id, state: await isAlive(s) ? 'running' as const : 'exited' as const })));
  const killFromOutside = async (i: Instance) => {
    if (runtime === 'docker') await docker.getContainer(i.id).kill();
    else signalGroup(Number(i.id), 'SIGKILL');
  };
  const upWeb = (count: number, version = 2) => waitFor(`${count} web dynos up on v${version}`, async () => {
    const all = (await dynos()).filter((d) => d.type === 'web');
    const up = all.filter((d) => d.state === 'up' && d.releaseVersion === version);
    return up.length === count && all.length === count ? up.sort((a, b) => a.name.localeCompare(b.name)) : undefined;
  }, { timeoutMs: 30_000 });
  const answer = async (d: DynoInfo, path = '/') => (await fetch(`http://${d.host}:${d.port}${path}`)).text();
  const heroku = (dyno: string, match: RegExp) => logLines.find((l) => l.source === 'heroku' && l.dyno === dyno && match.test(l.line));
  const scale = (q: Partial<Record<keyof typeof TYPES, number>>) =>
    release.scale(Object.entries(q).map(([type, quantity]) => ({ type, quantity: quantity!, size: 'basic' as const })));

  before(async () => {
    dataDir = await freshDataDir('paas-dmd-');
    settings = {
      ...dynoManagerSettingsFromEnv({
        PAAS_DATA_DIR: dataDir, PAAS_RUNTIME: runtime, PAAS_ROUTE_DRAIN_MS: '200', PAAS_DYNO_STOP_GRACE_MS: '1000', PAAS_BOOT_TIMEOUT_MS: '3000',
        PAAS_RESTART_BACKOFF_MS: '60000', PAAS_RESTART_BACKOFF_MAX_MS: '600000', PAAS_DYNO_MEMORY_MB: '64', PAAS_MEMORY_CHECK_MS: '300',
        PAAS_DYNO_PORT_MIN: '40000', PAAS_DYNO_PORT_MAX: '44999',
      }),
      messaging: testMessagingSettings(ns),
    };
    nc = await connectNats(settings.messaging.natsUrl, 'dyno-manager-docker-test');
    rpc = new RpcClient(nc, names(ns), 'api', 10_000);
    release = new FakeReleaseService(nc, ns, 'dockapp');
    const events = nc.subscribe(names(ns).eventFilter('DynoStateChanged'));
    void (async () => { for await (const m of events) changes.push(m.json<StateChange>()); })();
    const logs = nc.subscribe(names(ns).logSubject(release.appId));
    void (async () => { for await (const m of logs) logLines.push(m.json()); })();
    app = await createDynoManagerApp(settings);
    routes = await RouteTable.open(nc, names(ns));
  });

  after(async () => {
    await app?.close().catch(() => undefined);
    if (runtime === 'docker') await removeDockerDynos(ns, docker);
    else if (dataDir) await stopAllProcessDynos(dataDir);
    await nc?.close();
    await cleanup({ namespace: ns, dataDir });
  });

  test('scaling web 1 -> 3 -> 0 -> 2: one container (process group) per dyno, each answering and routed, none left when scaled to 0', async () => {
    await release.release(2, await makeSlug(dataDir, release.appId, TYPES), { GREETING: 'ahoy' });
    for (const n of [1, 3, 0, 2]) {
      await scale({ web: n });
      const up = n ? await upWeb(n) : await waitFor('no dynos', async () => (await dynos()).length === 0 && [] as DynoInfo[]);
      assert.deepEqual(up.map((d) => d.name), Array.from({ length: n }, (_, i) => `web.${i + 1}`));
      for (const d of up) assert.match(await answer(d), new RegExp(`^ahoy from ${d.name.replace('.', '\\.')} `));
      await waitFor(`${n} containers`, async () => {
        const c = await containers();
        return c.length === n && c.every((x) => x.state === 'running' && up.some((d) => d.id === x.dynoId));
      });
      await waitFor(`${n} dyno routes`, async () => (await routes.dynos('dockapp')).filter((r) => r.state !== 'crashed').length === n);
    }
    assert.ok(logLines.some((l) => l.source === 'app' && l.dyno === 'web.1' && /^listening on \d+$/.test(l.line)), 'dyno output streams into the app log as app[web.1]');
    assert.ok(heroku('web.2', /^State changed from starting to up$/));
  });

  test('a crash restarts at once; the next waits through the cool-off, which a rescale ends', async () => {
    const [web1] = await upWeb(2);
    const crashesOf = () => changes.filter((c) => c.data.dyno.id === web1.id && c.data.to === 'crashed');
    const startsOf = () => changes.filter((c) => c.data.dyno.id === web1.id && c.data.to === 'starting');
    await answer(web1, '/crash');
    await waitFor('the first crash and its restart', () => crashesOf().length === 1 && changes.filter((c) => c.data.dyno.id === web1.id && c.data.to === 'up').length === 2, { timeoutMs: 20_000 });
    assert.equal(crashesOf()[0].data.exitCode, 3);
    const [again] = await upWeb(2);
    assert.equal(again.id, web1.id);
    await answer(again, '/crash');
    await waitFor('the second crash', () => crashesOf().length === 2);
    const crashed = (await dynos()).find((d) => d.id === web1.id);
    assert.equal(crashed?.state, 'crashed');
    await waitFor('the route to say crashed', async () => (await routes.dynos('dockapp')).some((r) => r.dynoId === web1.id && r.state === 'crashed'));
    const starts = startsOf().length;
    const scaledAt = Date.now();
    await scale({ web: 2 });
    await upWeb(2);
    const restart = startsOf()[starts];
    assert.ok(restart && Date.parse(restart.occurredAt) >= scaledAt - 50, 'the second restart came with the rescale, not before');
  });

  test('a dyno killed from outside (docker kill, kill -9) is a crash: restarted, routed again', async () => {
    const [web1] = await upWeb(2);
    const before = (await containers()).find((c) => c.dynoId === web1.id)!;
    const earlier = changes.filter((c) => c.data.dyno.id === web1.id && c.data.to === 'crashed').length;
    await killFromOutside(before);
    const crash = await waitFor('the crash', () => changes.filter((c) => c.data.dyno.id === web1.id && c.data.to === 'crashed')[earlier], { timeoutMs: 20_000 });
    // The process runtime cannot know the status of a process it did not start (null); docker reports 137.
    assert.equal(crash.data.exitCode, runtime === 'docker' ? 137 : null);
    assert.equal(crash.data.from, 'up');
    const [again] = await upWeb(2);
    assert.equal(again.id, web1.id);
    assert.match(await answer(again), /^ahoy from web\.1 /);
    const after = (await containers()).find((c) => c.dynoId === web1.id)!;
    assert.notEqual(after.id, before.id, 'a fresh container (process)');
  });

  test('a dyno past its memory limit is killed: R15 in the log, crashed', { skip: runtime === 'process' && 'the process runtime limits memory with an rlimit (allocations past it fail): no kill, no R14/R15 lines' }, async () => {
    await scale({ web: 2, hog: 1 });
    const crash = await waitFor('hog.1 crashed', () => changes.find((c) => c.data.dyno.name === 'hog.1' && c.data.to === 'crashed'), { timeoutMs: 30_000 });
    assert.equal(crash.data.exitCode, 137);
    assert.ok(heroku('hog.1', /^Error R15 \(Memory quota vastly exceeded\)/));
    await scale({ web: 2, hog: 0 });
    await waitFor('hog.1 down', () => changes.some((c) => c.data.dyno.name === 'hog.1' && c.data.to === 'down'), { timeoutMs: 20_000 });
  });

  test('a dyno above its memory quota but below twice it keeps running, with R14 lines in the log', { skip: runtime === 'process' && 'the process runtime limits memory with an rlimit (allocations past it fail): no kill, no R14/R15 lines' }, async () => {
    await scale({ web: 2, heavy: 1 });
    const line = await waitFor('an R14 line', () => heroku('heavy.1', /^Error R14 \(Memory quota exceeded\)/), { timeoutMs: 30_000 });
    assert.match(line.line, /^Error R14 \(Memory quota exceeded\) -> \d+M of 64M in use$/);
    assert.ok(!changes.some((c) => c.data.dyno.name === 'heavy.1' && c.data.to === 'crashed'));
    await scale({ web: 2, heavy: 0 });
    await waitFor('heavy.1 down', () => changes.some((c) => c.data.dyno.name === 'heavy.1' && c.data.to === 'down'), { timeoutMs: 20_000 });
  });

  test('stop: SIGTERM first (the app logs it), SIGKILL after the grace period with R12', async () => {
    await scale({ web: 2, stubborn: 1 });
    await waitFor('stubborn.1 up', () => changes.some((c) => c.data.dyno.name === 'stubborn.1' && c.data.to === 'up'), { timeoutMs: 30_000 });
    const [, web2] = await upWeb(2);
    await rpc.request(StopDynos, { appId: release.appId, name: 'web.2', by: 'test@paas.local' });
    // Named again while it is on its way out (ps:restart then ps:stop): not an unknown dyno.
    assert.deepEqual(await rpc.request(StopDynos, { appId: release.appId, name: 'web.2', by: 'test@paas.local' }), { dynos: ['web.2'] });
    await waitFor('web.2 said it got SIGTERM', () => logLines.some((l) => l.source === 'app' && l.dyno === 'web.2' && l.line === 'SIGTERM received'));
    await waitFor('web.2 down', () => changes.some((c) => c.data.dyno.id === web2.id && c.data.to === 'down'));
    assert.ok(!heroku('web.2', /^Error R12/), 'no R12 for an app that exits on SIGTERM');
    await upWeb(2); // the formation still wants web.2: a fresh one starts

    await scale({ web: 2, stubborn: 0 });
    await waitFor('R12 for stubborn.1', () => heroku('stubborn.1', /^Error R12 \(Exit timeout\) -> At least one process failed to exit within 1 seconds of SIGTERM$/), { timeoutMs: 20_000 });
    assert.ok(logLines.some((l) => l.source === 'app' && l.dyno === 'stubborn.1' && l.line === 'not stopping'));
    await waitFor('no stubborn container', async () => !(await containers()).some((c) => c.dyno === 'stubborn.1'));
  });

  test('a web dyno that never binds $PORT is killed with R10 while the previous release keeps serving', async () => {
    await release.release(3, await makeSlug(dataDir, release.appId, { ...TYPES, web: 'sleep 600' }), { GREETING: 'ahoy' });
    const crash = await waitFor('an R10 crash', () => changes.find((c) => c.data.dyno.releaseVersion === 3 && c.data.to === 'crashed'), { timeoutMs: 30_000 });
    assert.equal(crash.data.reason, 'R10 boot timeout');
    assert.ok(heroku(crash.data.dyno.name, /^Error R10 \(Boot timeout\) -> Web process failed to bind to \$PORT within 3 seconds of launch$/));
    const v2 = (await dynos()).filter((d) => d.releaseVersion === 2 && d.state === 'up');
    assert.equal(v2.length, 2, 'the v2 dynos still run');
    for (const d of v2) assert.match(await answer(d), /^ahoy from/);
    await release.release(4, await makeSlug(dataDir, release.appId, TYPES), { GREETING: 'ahoy' });
    await upWeb(2, 4);
    await waitFor('only the v4 containers', async () => (await containers()).length === 2);
  });

  test('a detached one-off dyno logs to the app log as run.N and is gone when its command ends', async () => {
    const info = await rpc.request(RunDyno, { appId: release.appId, command: 'echo "one-off $DYNO in $(pwd)"; exit 0', by: 'test@paas.local' });
    assert.match(info.name, /^run\.\d+$/);
    const down = await waitFor('the one-off down', () => changes.find((c) => c.data.dyno.id === info.id && c.data.to === 'down'), { timeoutMs: 20_000 });
    assert.equal(down.data.exitCode, 0);
    const said = await waitFor('its output in the app log', () => logLines.find((l) => l.source === 'app' && l.dyno === info.name));
    assert.equal(said.line, `one-off ${info.name} in ${runtime === 'docker' ? '/app' : join(dataDir, 'dynos', 'dockapp', info.id, 'app')}`);
    await waitFor('its container removed', async () => !(await containers()).some((c) => c.dynoId === info.id));
  });

  test('an attached one-off dyno (heroku run) gets stdin over the relay, returns its output and exit status, and leaves no container', async () => {
    const d = await waitFor('the one-off created', () => rpc.request(RunDyno, { appId: release.appId, command: 'echo "in $DYNO"; cat; exit 3', by: 'test@paas.local', attach: true }).catch(() => undefined));
    const s = attachSubjects(ns, d.id);
    let out = '';
    nc.subscribe(s.out, { callback: (_e, m) => { out += m.string(); } });
    const exit = new Promise<AttachExit>((resolve) => nc.subscribe(s.exit, { max: 1, callback: (_e, m) => resolve(m.json<AttachExit>()) }));
    await nc.flush();
    await rpc.request(AttachDyno, { appId: release.appId, dynoId: d.id });
    nc.publish(s.in, 'piped\n\x04');
    assert.equal((await exit).code, 3);
    assert.equal(out, `in ${d.name}\npiped\n`);
    await waitFor('its container removed', async () => !(await containers()).some((c) => c.dynoId === d.id));
  });

  test('a restarted manager adopts the containers by their labels: same containers, nothing restarted', async () => {
    const running = await waitFor('two dynos running', async () => {
      const all = await containers();
      return all.length === 2 && all.every((c) => c.state === 'running') ? all.sort((a, b) => a.id.localeCompare(b.id)) : undefined;
    });
    await app!.close();
    app = undefined;
    assert.deepEqual((await containers()).map((c) => c.state), ['running', 'running'], 'dynos outlive the manager');
    assert.deepEqual((await containers()).map((c) => c.dyno).sort(), ['web.1', 'web.2']);
    const starts = changes.filter((c) => c.data.to === 'starting').length;
    const asked = release.requests;
    app = await createDynoManagerApp(settings);
    await waitFor('the new manager in sync', () => release.requests > asked);
    const list = await upWeb(2, 4);
    assert.deepEqual(list.map((d) => d.id).sort(), running.map((c) => c.dynoId).sort());
    assert.deepEqual((await containers()).sort((a, b) => a.id.localeCompare(b.id)).map((c) => c.id), running.map((c) => c.id));
    for (const d of list) assert.match(await answer(d), /^ahoy from/);
    assert.equal(changes.filter((c) => c.data.to === 'starting').length, starts, 'no dyno started');
  });
});
