import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { INestApplication } from '@nestjs/common';
import { DynoStateChanged, ListDynos, names, ReleasePhaseFinished, type EventOf } from '@paas/contracts';
import { connectNats, RpcClient, type NatsConnection } from '@paas/messaging';
import { cleanup, freshDataDir, freshNamespace, testMessagingSettings, waitFor } from '@paas/testing';
import { createDynoManagerApp, dynoManagerSettingsFromEnv, removeDockerDynos, stopAllProcessDynos } from '../src/index.js';
import { FakeReleaseService, makeSlug } from './support.js';

type Finished = EventOf<typeof ReleasePhaseFinished>;

/** The release phase, for each runtime: it runs before the release's dynos; a failure keeps the previous release. */
for (const runtime of ['process', 'docker'] as const) {
  describe(`release phase (${runtime} runtime)`, () => {
    const ns = freshNamespace('dmr');
    let dataDir: string;
    let app: INestApplication | undefined;
    let nc: NatsConnection;
    let rpc: RpcClient;
    let release: FakeReleaseService;
    const finished: Finished[] = [];
    const changes: EventOf<typeof DynoStateChanged>[] = [];
    const logLines: { source: string; dyno: string; line: string }[] = [];

    const webOn = (version: number) => waitFor(`web.1 up on v${version}`, async () => {
      const all = await rpc.request(ListDynos, { appId: release.appId });
      const web = all.filter((d) => d.type === 'web');
      return web.length === 1 && web[0].state === 'up' && web[0].releaseVersion === version ? web[0] : undefined;
    }, { timeoutMs: 30_000 });
    const types = (releaseCommand?: string) => ({ web: 'node server.js', ...(releaseCommand ? { release: releaseCommand } : {}) });

    before(async () => {
      dataDir = await freshDataDir('paas-dmr-');
      const settings = {
        ...dynoManagerSettingsFromEnv({ PAAS_DATA_DIR: dataDir, PAAS_RUNTIME: runtime, PAAS_DYNO_STOP_GRACE_MS: '2000', PAAS_ROUTE_DRAIN_MS: '100', PAAS_MEMORY_CHECK_MS: '0' }),
        messaging: testMessagingSettings(ns),
      };
      nc = await connectNats(settings.messaging.natsUrl, 'release-phase-test');
      rpc = new RpcClient(nc, names(ns), 'api', 10_000);
      release = new FakeReleaseService(nc, ns, 'phaseapp');
      for (const [type, into] of [['ReleasePhaseFinished', finished], ['DynoStateChanged', changes]] as const) {
        const sub = nc.subscribe(names(ns).eventFilter(type));
        void (async () => { for await (const m of sub) (into as unknown[]).push(m.json()); })();
      }
      const logs = nc.subscribe(names(ns).logSubject(release.appId));
      void (async () => { for await (const m of logs) logLines.push(m.json()); })();
      app = await createDynoManagerApp(settings);
      await release.release(2, await makeSlug(dataDir, release.appId, types()), { GREETING: 'v2' });
      await release.scale([{ type: 'web', quantity: 1, size: 'basic' }]);
      await webOn(2);
    });

    after(async () => {
      await app?.close().catch(() => undefined);
      await stopAllProcessDynos(dataDir);
      await removeDockerDynos(ns);
      await nc?.close();
      await cleanup({ namespace: ns, dataDir });
    });

    test('a failing release command keeps the previous release running, with its output in the log', async () => {
      const web = await webOn(2);
      await release.release(3, await makeSlug(dataDir, release.appId, types('echo "migrating with $GREETING"; exit 2')), { GREETING: 'v3' });
      const f = await waitFor('the release phase to finish', () => finished.find((e) => e.data.version === 3), { timeoutMs: 30_000 });
      assert.deepEqual([f.data.succeeded, f.data.exitCode], [false, 2]);
      assert.match(f.data.dyno, /^release\.\d+$/);
      await waitFor('its output in the app log', () => logLines.some((l) => l.source === 'app' && l.dyno === f.data.dyno && l.line === 'migrating with v3'));
      await waitFor('the failure in the app log', () => logLines.some((l) => l.source === 'heroku' && l.line.startsWith('Release phase of v3 failed (exit status 2)')));
      const still = await webOn(2);
      assert.equal(still.id, web.id, 'the v2 dyno was never replaced');
      assert.ok(!changes.some((c) => c.data.dyno.type === 'web' && c.data.dyno.releaseVersion === 3), 'no v3 web dyno started');
    });

    test('a succeeding release command runs before the new dynos start, which then replace the old ones', async () => {
      await release.release(4, await makeSlug(dataDir, release.appId, types('echo migrated')), { GREETING: 'v4' });
      const web = await webOn(4);
      const f = finished.find((e) => e.data.version === 4);
      assert.deepEqual([f?.data.succeeded, f?.data.exitCode], [true, 0]);
      const phaseDown = changes.findIndex((c) => c.data.dyno.name === f!.data.dyno && c.data.to === 'down');
      const webStart = changes.findIndex((c) => c.data.dyno.id === web.id && c.data.to === 'starting');
      assert.ok(phaseDown >= 0 && webStart > phaseDown, `the release dyno ended (event ${phaseDown}) before web.1 of v4 started (event ${webStart})`);
      await waitFor('its output in the app log', () => logLines.some((l) => l.source === 'app' && l.dyno === f!.data.dyno && l.line === 'migrated'));
    });
  });
}
