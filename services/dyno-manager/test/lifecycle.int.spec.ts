import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { INestApplication } from '@nestjs/common';
import { jetstreamManager } from '@nats-io/jetstream';
import { DynoStateChanged, ListDynos, names, type EventOf } from '@paas/contracts';
import { connectNats, RouteTable, RpcClient, type NatsConnection } from '@paas/messaging';
import { cleanup, freshDataDir, freshNamespace, testMessagingSettings, waitFor } from '@paas/testing';
import { createDynoManagerApp, dynoManagerSettingsFromEnv, stopAllProcessDynos } from '../src/index.js';
import { FakeReleaseService, makeSlug } from './support.js';

type StateChange = EventOf<typeof DynoStateChanged>;

describe('dyno lifecycle: boot without the release service, workers, R10 and restart back-off', () => {
  const ns = freshNamespace('dml');
  let dataDir: string;
  let app: INestApplication | undefined;
  let nc: NatsConnection;
  let rpc: RpcClient;
  let release: FakeReleaseService;
  const changes: StateChange[] = [];
  const logLines: { source: string; dyno: string; line: string }[] = [];

  const of = (name: string) => changes.filter((c) => c.data.dyno.name === name);

  before(async () => {
    dataDir = await freshDataDir('paas-dml-');
    const settings = {
      ...dynoManagerSettingsFromEnv({
        // The runtime npm test pins (process unless PAAS_RUNTIME says otherwise); the timings below are the process runtime's.
        PAAS_DATA_DIR: dataDir, PAAS_RUNTIME: process.env.PAAS_RUNTIME ?? 'process', PAAS_DYNO_STOP_GRACE_MS: '2000', PAAS_BOOT_TIMEOUT_MS: '1000',
        PAAS_RESTART_BACKOFF_MS: '500', PAAS_RESTART_BACKOFF_MAX_MS: '5000', PAAS_DESIRED_STATE_RETRY_MS: '100',
      }),
      messaging: testMessagingSettings(ns),
    };
    nc = await connectNats(settings.messaging.natsUrl, 'dyno-lifecycle-test');
    rpc = new RpcClient(nc, names(ns), 'api', 5000);
    release = new FakeReleaseService(nc, ns, 'lifeapp', false);
    const events = nc.subscribe(names(ns).eventFilter('DynoStateChanged'));
    void (async () => { for await (const m of events) changes.push(m.json<StateChange>()); })();
    const logs = nc.subscribe(names(ns).logSubject(release.appId));
    void (async () => { for await (const m of logs) logLines.push(m.json()); })();
    app = await createDynoManagerApp(settings);
  });

  after(async () => {
    await app?.close().catch(() => undefined);
    if (dataDir) await stopAllProcessDynos(dataDir);
    await nc?.close();
    await cleanup({ namespace: ns, dataDir });
  });

  test('until the release service answers, events are taken but nothing runs; then the formation runs', async () => {
    await release.release(2, await makeSlug(dataDir, release.appId, { worker: 'node worker.js' }));
    await release.scale([{ type: 'worker', quantity: 1, size: 'basic' }]);
    const jsm = await jetstreamManager(nc);
    await waitFor('the manager to have consumed both events', async () => {
      for (const type of ['ReleaseCreated', 'FormationScaled']) {
        const info = await jsm.consumers.info(names(ns).eventsStream, `dyno-manager-${type}`);
        if (info.num_pending > 0 || info.num_ack_pending > 0 || info.delivered.stream_seq === 0) return false;
      }
      return true;
    });
    assert.deepEqual(await rpc.request(ListDynos, { appId: release.appId }), []);

    release.answer();
    await waitFor('worker.1 up', () => of('worker.1').some((c) => c.data.to === 'up'));
    assert.deepEqual(of('worker.1').map((c) => [c.data.from, c.data.to]), [[null, 'starting'], ['starting', 'up']]);
  });

  test('a worker is up once started, is not routed, and its output (after .profile.d) reaches the app log', async () => {
    const line = await waitFor('the worker greeting', () => logLines.find((l) => l.source === 'app' && l.dyno === 'worker.1' && l.line.startsWith('worker ')));
    assert.equal(line.line, 'worker worker.1 with profile of worker.1');
    assert.ok(logLines.some((l) => l.source === 'heroku' && l.dyno === 'worker.1' && l.line === 'State changed from starting to up'));
    const routes = await RouteTable.open(nc, names(ns));
    assert.deepEqual(await routes.dynos('lifeapp'), []);
    assert.deepEqual(await routes.keys('app.>'), ['app.lifeapp']);
  });

  test('a web dyno that never binds $PORT is killed (R10), crashed, restarted at once, then after a back-off', async () => {
    await release.release(3, await makeSlug(dataDir, release.appId, { web: 'node -e "setInterval(() => {}, 1000)"', worker: 'node worker.js' }));
    await release.scale([{ type: 'web', quantity: 1, size: 'basic' }, { type: 'worker', quantity: 1, size: 'basic' }]);
    await waitFor('three starts of web.1', () => of('web.1').filter((c) => c.data.to === 'starting').length >= 3, { timeoutMs: 20_000 });
    const web = of('web.1');
    const crashes = web.filter((c) => c.data.to === 'crashed');
    assert.ok(crashes.length >= 2);
    assert.deepEqual([crashes[0].data.from, crashes[0].data.reason], ['starting', 'R10 boot timeout']);
    assert.ok(web.every((c) => c.data.dyno.id === web[0].data.dyno.id), 'a restart keeps the dyno id');
    const starts = web.filter((c) => c.data.to === 'starting').map((c) => Date.parse(c.occurredAt));
    const crashAt = crashes.map((c) => Date.parse(c.occurredAt));
    assert.ok(starts[1] - crashAt[0] < 500, `first restart at once (${starts[1] - crashAt[0]} ms)`);
    assert.ok(starts[2] - crashAt[1] >= 500, `second restart after the back-off (${starts[2] - crashAt[1]} ms)`);
    assert.ok(logLines.some((l) => l.source === 'heroku' && l.dyno === 'web.1' && l.line.startsWith('Error R10 (Boot timeout)')));
  });

  test('scaling the crashing type to 0 ends its restarts', async () => {
    await release.scale([{ type: 'web', quantity: 0, size: 'basic' }, { type: 'worker', quantity: 1, size: 'basic' }]);
    await waitFor('web.1 down', () => of('web.1').some((c) => c.data.to === 'down'), { timeoutMs: 20_000 });
    const list = await rpc.request(ListDynos, { appId: release.appId });
    assert.deepEqual(list.map((d) => [d.name, d.releaseVersion, d.state]), [['worker.1', 3, 'up']]);
  });
});
