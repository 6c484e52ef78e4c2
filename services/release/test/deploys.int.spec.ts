import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { CreateApp, DestroyApp, GetFormation, ListReleases, ScaleFormation, SetConfigVars, SlugBuilt, type AppInfo } from '@paas/contracts';
import { InMemorySpanExporter, initTelemetry } from '@paas/telemetry';
import { waitFor } from '@paas/testing';
import { aSlug, Harness } from './harness.js';

const spans = new InMemorySpanExporter();
initTelemetry('release-test', { exporter: spans });

const by = 'admin@paas.local';
const rebuildScript = fileURLToPath(new URL('../src/rebuild-projections.js', import.meta.url));

describe('release service: deploys from SlugBuilt, and projections rebuilt from the log', () => {
  const h = new Harness();
  let app: AppInfo;

  before(async () => {
    await h.start();
    app = await h.rpc.request(CreateApp, { name: 'deployed', by });
  });
  after(() => h.stop());

  test('SlugBuilt makes release "Deploy abc1234" with the config, then web scaled to 1, in the trace of the build', async () => {
    await h.rpc.request(SetConfigVars, { app: app.id, changes: { GREETING: 'hi' }, by });
    const built = await h.slugBuilt(app.id, 'deployed', aSlug({ web: 'npm start' }));
    const events = await h.tap.waitFor(app.id, 6);
    assert.deepEqual(events.map((e) => [e.type, e.streamVersion]), [
      ['AppCreated', 1], ['ReleaseCreated', 2], ['ConfigVarsChanged', 3], ['ReleaseCreated', 4], ['ReleaseCreated', 5], ['FormationScaled', 6],
    ]);
    const deploy = events[4]!;
    assert.deepEqual(deploy.data, { ...(deploy.data as object), version: 3, description: 'Deploy abc1234', config: { GREETING: 'hi' }, buildId: (built.data as { buildId: string }).buildId, rollbackOf: null });
    assert.equal(deploy.causationId, built.id);
    assert.equal(deploy.correlationId, built.correlationId);
    assert.deepEqual((events[5]!.data as { changed: unknown }).changed, [{ type: 'web', quantity: 1, size: 'standard-1x' }]);
    assert.deepEqual((await h.rpc.request(GetFormation, { app: app.id })).map((f) => [f.type, f.quantity, f.command]), [['web', 1, 'npm start']]);

    const published = await waitFor('the ReleaseCreated publish span', () => spans.getFinishedSpans().find((s) => s.name === 'ReleaseCreated publish' && s.attributes['paas.event.id'] === deploy.id));
    const origin = spans.getFinishedSpans().find((s) => s.name === 'SlugBuilt publish' && s.attributes['paas.event.id'] === built.id);
    assert.equal(published.spanContext().traceId, origin?.spanContext().traceId, 'the publish from the outbox joins the trace of the push');
  });

  test('the same SlugBuilt delivered again makes no second release', async () => {
    const slug = aSlug({ web: 'npm start', worker: 'node worker.js' }, null);
    const buildId = randomUUID();
    const first = await h.slugBuilt(app.id, 'deployed', slug, buildId);
    await h.publisher.publishEnvelope(SlugBuilt, first); // same event id: JetStream drops it
    await h.slugBuilt(app.id, 'deployed', slug, buildId); // new event id, same build: the domain drops it
    await h.slugBuiltHandled();
    const releases = await h.rpc.request(ListReleases, { app: app.id });
    assert.deepEqual(releases.filter((r) => r.buildId === buildId).map((r) => [r.version, r.description]), [[4, 'Deploy']]);
    assert.equal(releases.length, 4);
    assert.equal(h.tap.of(app.id, 'FormationScaled').length, 1, 'web was scaled once, on the first deploy');
  });

  test('a SlugBuilt for an app that does not exist is acknowledged and releases nothing', async () => {
    const ghost = randomUUID();
    await h.slugBuilt(ghost, 'ghost', aSlug({ web: 'x' }));
    await h.slugBuiltHandled();
    assert.deepEqual(await h.db.selectFrom('events').select('type').where('stream_id', '=', `app-${ghost}`).execute(), []);
  });

  test('rebuilding the projections from the log reproduces every row, and repairs damaged ones', async () => {
    await h.rpc.request(ScaleFormation, { app: app.id, updates: [{ type: 'worker', quantity: 2, size: 'standard-2x' }], by });
    const doomed = await h.rpc.request(CreateApp, { name: 'doomed', by });
    await h.rpc.request(SetConfigVars, { app: doomed.id, changes: { SECRET: 's' }, by });
    await h.rpc.request(DestroyApp, { app: 'doomed', by });
    const tables = ['apps', 'releases', 'config_vars', 'formation'] as const;
    const before = await Promise.all(tables.map((t) => h.rows(t)));
    assert.ok(before.every((rows) => rows.length > 0));
    await h.db.deleteFrom('config_vars').execute();
    await h.db.updateTable('formation').set({ quantity: 99 }).execute();

    const { stdout } = await promisify(execFile)(process.execPath, [rebuildScript], { env: { ...process.env, DATABASE_URL: h.databaseUrl } });
    assert.match(stdout, /rebuilt the projections .* from \d+ events/);
    assert.deepEqual(await Promise.all(tables.map((t) => h.rows(t))), before);
  });
});
