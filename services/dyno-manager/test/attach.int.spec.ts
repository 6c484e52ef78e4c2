import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import type { INestApplication } from '@nestjs/common';
import { AttachDyno, attachSubjects, DynoStateChanged, ListDynos, names, RunDyno, StopDynos, type AttachExit, type DynoInfo, type EventOf } from '@paas/contracts';
import { connectNats, RpcClient, type NatsConnection } from '@paas/messaging';
import { cleanup, freshDataDir, freshNamespace, testMessagingSettings, waitFor } from '@paas/testing';
import { createDynoManagerApp, dynoManagerSettingsFromEnv, stopAllProcessDynos } from '../src/index.js';
import { dynoDir } from '../src/adapters/runtime/process-state.js';
import { FakeReleaseService, makeSlug } from './support.js';

type StateChange = EventOf<typeof DynoStateChanged>;

describe('attached one-off dynos: pending until AttachDyno, stdio relayed over NATS core subjects', () => {
  const ns = freshNamespace('dma');
  let dataDir: string;
  let app: INestApplication | undefined;
  let nc: NatsConnection;
  let rpc: RpcClient;
  let release: FakeReleaseService;
  const changes: StateChange[] = [];

  const dynos = () => rpc.request(ListDynos, { appId: release.appId });
  const run = (command: string) => waitFor('the manager to know the release', () => rpc.request(RunDyno, { appId: release.appId, command, by: 't@paas.local', attach: true }).catch(() => undefined));

  /** Subscribes to the dyno's out and exit subjects, as the api does before it asks for AttachDyno. */
  async function listen(d: DynoInfo): Promise<{ output: () => string; exit: Promise<AttachExit> }> {
    const s = attachSubjects(ns, d.id);
    let out = '';
    nc.subscribe(s.out, { callback: (_e, m) => { out += m.string(); } });
    const exit = new Promise<AttachExit>((resolve) => nc.subscribe(s.exit, { max: 1, callback: (_e, m) => resolve(m.json<AttachExit>()) }));
    await nc.flush();
    return { output: () => out, exit };
  }

  before(async () => {
    dataDir = await freshDataDir('paas-dma-');
    const settings = { ...dynoManagerSettingsFromEnv({ PAAS_DATA_DIR: dataDir, PAAS_RUNTIME: 'process', PAAS_DYNO_STOP_GRACE_MS: '2000' }), messaging: testMessagingSettings(ns) };
    nc = await connectNats(settings.messaging.natsUrl, 'dyno-attach-test');
    rpc = new RpcClient(nc, names(ns), 'api', 5000);
    release = new FakeReleaseService(nc, ns, 'attachapp');
    const events = nc.subscribe(names(ns).eventFilter('DynoStateChanged'));
    void (async () => { for await (const m of events) changes.push(m.json<StateChange>()); })();
    app = await createDynoManagerApp(settings);
    await release.release(2, await makeSlug(dataDir, release.appId), { GREETING: 'salut' });
  });

  after(async () => {
    await app?.close().catch(() => undefined);
    if (dataDir) await stopAllProcessDynos(dataDir);
    await nc?.close();
    await cleanup({ namespace: ns, dataDir });
  });

  test('a pending dyno runs nothing; attached, it gets the env and .profile.d, reads stdin until \\x04, and reports its exit', async () => {
    const d = await run('echo "$GREETING $FROM_PROFILE port=$PORT"; cat; exit 4');
    assert.equal(d.state, 'starting');
    assert.ok((await dynos()).some((x) => x.id === d.id), 'listed while pending');
    assert.equal(existsSync(dynoDir(dataDir, 'attachapp', d.id)), false, 'no directory before it is attached');
    assert.equal(changes.filter((c) => c.data.dyno.id === d.id).length, 0, 'no state change before it is attached');
    const l = await listen(d);
    await rpc.request(AttachDyno, { appId: release.appId, dynoId: d.id });
    const s = attachSubjects(ns, d.id);
    nc.publish(s.in, 'xyz\n');
    nc.publish(s.in, 'last\n\x04ignored');
    assert.deepEqual(await l.exit, { code: 4, signal: null });
    assert.match(l.output(), new RegExp(`^salut profile of ${d.name.replace('.', '\\.')} port=\\d+\\nxyz\\nlast\\n$`));
    const seen = await waitFor('starting, up and down published', () => {
      const mine = changes.filter((c) => c.data.dyno.id === d.id).map((c) => `${c.data.from}->${c.data.to}:${c.data.exitCode}`);
      return mine.length === 3 ? mine : undefined;
    });
    assert.deepEqual(seen, ['null->starting:null', 'starting->up:null', 'up->down:4']);
    assert.equal((await dynos()).some((x) => x.id === d.id), false);
    await waitFor('its directory removed', () => !existsSync(dynoDir(dataDir, 'attachapp', d.id)));
  });

  test('a dyno is attached once; a second AttachDyno is refused', async () => {
    const d = await run('true');
    const l = await listen(d);
    await rpc.request(AttachDyno, { appId: release.appId, dynoId: d.id });
    await assert.rejects(rpc.request(AttachDyno, { appId: release.appId, dynoId: d.id }), /Couldn't find a one-off dyno waiting to be attached/);
    assert.equal((await l.exit).code, 0);
  });

  test('stopping an attached dyno ends it and reports its exit; stopping a pending one drops it', async () => {
    const d = await run('echo ready; sleep 60');
    const l = await listen(d);
    await rpc.request(AttachDyno, { appId: release.appId, dynoId: d.id });
    await waitFor('its first output', () => l.output() === 'ready\n');
    await rpc.request(StopDynos, { appId: release.appId, name: d.name, by: 't@paas.local' });
    const exit = await l.exit;
    assert.notEqual(exit.code, 0);
    await waitFor('it gone', async () => !(await dynos()).some((x) => x.id === d.id));

    const pending = await run('echo never');
    await rpc.request(StopDynos, { appId: release.appId, name: pending.name, by: 't@paas.local' });
    await waitFor('the pending one gone', async () => !(await dynos()).some((x) => x.id === pending.id));
    await assert.rejects(rpc.request(AttachDyno, { appId: release.appId, dynoId: pending.id }), /Couldn't find a one-off dyno waiting/);
    assert.equal(changes.filter((c) => c.data.dyno.id === pending.id).length, 0);
  });
});
