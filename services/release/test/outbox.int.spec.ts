import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ConcurrencyError, CreateApp, GetConfigVars, ListReleases, SetConfigVars, type AppInfo } from '@paas/contracts';
import { NATS_CONNECTION, type NatsConnection } from '@paas/messaging';
import { waitFor } from '@paas/testing';
import { randomUUID } from 'node:crypto';
import { EventStore } from '../src/adapters/event-store.js';
import { CommandHandler } from '../src/command-handler.js';
import { decide } from '../src/domain/decide.js';
import { ReleaseService } from '../src/release.service.js';
import { Harness } from './harness.js';

const by = 'admin@paas.local';

describe('release service: concurrent writers and the outbox', () => {
  const h = new Harness();
  let app: AppInfo;

  before(async () => {
    await h.start();
    app = await h.rpc.request(CreateApp, { name: 'busy', by });
  });
  after(() => h.stop());

  test('concurrent config changes sent to two release processes all land, each in its own release, no version twice', async (t) => {
    const second = await h.another();
    t.after(() => second.close()); // the next tests need this process alone
    let lostRaces = 0;
    for (const store of [h.app.get(EventStore), second.get(EventStore)]) {
      const append = store.append.bind(store);
      store.append = (...args) => append(...args).catch((err) => {
        if (err instanceof ConcurrencyError) lostRaces += 1;
        throw err;
      });
    }
    const names = Array.from({ length: 12 }, (_, i) => `VAR_${String(i).padStart(2, '0')}`);
    const results = await Promise.all(names.map((n) => h.rpc.request(SetConfigVars, { app: 'busy', changes: { [n]: 'x' }, by })));
    t.diagnostic(`${lostRaces} appends lost a race to the other process and were retried`);
    const versions = results.map((r) => r.release!.version).sort((a, b) => a - b);
    assert.deepEqual(versions, Array.from({ length: 12 }, (_, i) => i + 2));
    assert.deepEqual(Object.keys(await h.rpc.request(GetConfigVars, { app: 'busy' })).sort(), names);
    const events = await h.tap.waitFor(app.id, 2 + 2 * names.length);
    assert.deepEqual(events.map((e) => e.streamVersion), events.map((_, i) => i + 1), 'published in stream order');
  });

  test('an event committed without the after-commit publish (a crash right there) is published by the timer', async () => {
    const before = h.tap.of(app.id).length;
    const state = await h.app.get(CommandHandler).load(app.id);
    const events = decide({ type: 'SetConfigVars', changes: { SWEPT: '1' }, by }, state, { newId: randomUUID });
    // Appending through the store alone commits the events and outbox rows but kicks no publish.
    await h.app.get(EventStore).append(`app-${app.id}`, state.streamVersion, events, { appId: app.id, causationId: null, correlationId: randomUUID() });
    const published = await h.tap.waitFor(app.id, before + 2);
    assert.deepEqual(published.slice(before).map((e) => e.type), ['ConfigVarsChanged', 'ReleaseCreated']);
    await waitFor('the outbox to be empty', async () => (await h.rows('outbox')).length === 0);
  });

  test('an event committed while NATS is unreachable stays in the outbox and is published after a restart', async () => {
    const before = h.tap.of(app.id).length;
    // The service loses NATS after the commit: the outbox row must survive the failed publish.
    await h.app.get<symbol, NatsConnection>(NATS_CONNECTION).close();
    const result = await h.app.get(ReleaseService).setConfigVars({ app: 'busy', changes: { LATE: 'yes' }, by });
    assert.equal(result.release?.description, 'Set LATE config vars');
    const [row] = await waitFor('a failed publish to be recorded', async () => {
      const rows = await h.db.selectFrom('outbox').selectAll().where('attempts', '>', 0).execute();
      return rows.length > 0 && rows;
    });
    assert.ok(row!.last_error, 'the failure is recorded');
    assert.equal((await h.db.selectFrom('outbox').select('position').execute()).length, 2, 'ConfigVarsChanged and ReleaseCreated wait');
    assert.equal(h.tap.of(app.id).length, before);

    await h.restart();
    const events = await h.tap.waitFor(app.id, before + 2);
    assert.deepEqual(events.slice(before).map((e) => [e.type, e.streamVersion]), [['ConfigVarsChanged', before + 1], ['ReleaseCreated', before + 2]]);
    await waitFor('the outbox to be empty', async () => (await h.rows('outbox')).length === 0);
    const releases = await h.rpc.request(ListReleases, { app: 'busy' });
    assert.equal(releases.at(-1)?.description, 'Set LATE config vars');
  });
});
