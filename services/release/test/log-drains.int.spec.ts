import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AddLogDrain, CreateApp, DestroyApp, ListAllLogDrains, ListLogDrains, ListReleases, RemoveLogDrain, type AppInfo, type PaasError,
} from '@paas/contracts';
import { rebuildProjections } from '../src/adapters/rebuild.js';
import { Harness } from './harness.js';

const by = 'admin@paas.local';
const typed = (id: string, message?: RegExp) => (e: PaasError) => e.id === id && (!message || message.test(e.message));
const SYSLOG = 'syslog+tls://logs.example.com:6514';
const HTTPS = 'https://user:pw@logs.example.com/drain?key=k';

describe('release service: log drains over NATS request/reply', () => {
  const h = new Harness();
  let app: AppInfo;
  let other: AppInfo;

  before(async () => {
    await h.start();
    app = await h.rpc.request(CreateApp, { name: 'drainy', by });
    other = await h.rpc.request(CreateApp, { name: 'other', by });
  });
  after(() => h.stop());

  const drains = async () => h.db.selectFrom('log_drains').selectAll().orderBy('id').execute();

  test('adding a drain stores it, publishes LogDrainAdded with its token and makes no release', async () => {
    const added = await h.rpc.request(AddLogDrain, { app: 'drainy', url: SYSLOG, by });
    assert.equal(added.url, SYSLOG);
    assert.match(added.token, /^d\.[0-9a-f-]{36}$/);
    const [event] = await h.tap.waitFor(app.id, 1, 'LogDrainAdded');
    assert.deepEqual(event!.data, { appName: 'drainy', drainId: added.id, url: SYSLOG, token: added.token, by });
    assert.deepEqual((await h.rpc.request(ListReleases, { app: 'drainy' })).map((r) => r.version), [1]);
  });

  test('an invalid or taken URL is invalid_params and nothing is written', async () => {
    const events = (await h.rows('events')).length;
    await assert.rejects(h.rpc.request(AddLogDrain, { app: 'drainy', url: 'http://logs.example.com', by }), typed('invalid_params', /syslog\+tls:\/\//));
    await assert.rejects(h.rpc.request(AddLogDrain, { app: 'drainy', url: SYSLOG, by }), typed('invalid_params', /already been taken/));
    assert.equal((await h.rows('events')).length, events);
  });

  test('drains are listed per app oldest first, and all together for delivery', async () => {
    await h.rpc.request(AddLogDrain, { app: 'drainy', url: HTTPS, by });
    await h.rpc.request(AddLogDrain, { app: 'other', url: SYSLOG, by });
    assert.deepEqual((await h.rpc.request(ListLogDrains, { app: 'drainy' })).map((d) => d.url), [SYSLOG, HTTPS]);
    const all = await h.rpc.request(ListAllLogDrains, {});
    assert.deepEqual(all.map((d) => [d.appName, d.url]).sort(), [['drainy', HTTPS], ['drainy', SYSLOG], ['other', SYSLOG]]);
    assert.ok(all.every((d) => d.appId === (d.appName === 'drainy' ? app.id : other.id)));
  });

  test('removing a drain by url, token or id answers with it; again is not_found', async () => {
    const [syslog, https] = await h.rpc.request(ListLogDrains, { app: 'drainy' });
    assert.deepEqual(await h.rpc.request(RemoveLogDrain, { app: 'drainy', drain: https!.token, by }), https);
    const [removed] = await h.tap.waitFor(app.id, 1, 'LogDrainRemoved');
    assert.deepEqual(removed!.data, { appName: 'drainy', drainId: https!.id, by });
    await assert.rejects(h.rpc.request(RemoveLogDrain, { app: 'drainy', drain: https!.id, by }), typed('not_found', /log drain/));
    assert.deepEqual((await h.rpc.request(ListLogDrains, { app: 'drainy' })).map((d) => d.id), [syslog!.id]);
  });

  test('destroying an app takes its drains; rebuilding the projections restores the rest', async () => {
    await h.rpc.request(DestroyApp, { app: 'other', by });
    assert.deepEqual((await h.rpc.request(ListAllLogDrains, {})).map((d) => d.appName), ['drainy']);
    const before = await drains();
    await h.db.deleteFrom('log_drains').execute();
    await rebuildProjections(h.db);
    assert.deepEqual(await drains(), before);
  });
});
