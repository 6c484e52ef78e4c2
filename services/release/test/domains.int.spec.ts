import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AddDomain, CreateApp, DestroyApp, ListDomains, ListReleases, RemoveDomain, type AppInfo, type PaasError,
} from '@paas/contracts';
import { rebuildProjections } from '../src/adapters/rebuild.js';
import { Harness } from './harness.js';

const by = 'admin@paas.local';
const typed = (id: string, message?: RegExp) => (e: PaasError) => e.id === id && (!message || message.test(e.message));

describe('release service: custom domains over NATS request/reply', () => {
  const h = new Harness();
  let app: AppInfo;
  let other: AppInfo;

  before(async () => {
    await h.start();
    app = await h.rpc.request(CreateApp, { name: 'shop', by });
    other = await h.rpc.request(CreateApp, { name: 'blog', by });
  });
  after(() => h.stop());

  test('adding a domain stores it lowercase, publishes DomainAdded and makes no release', async () => {
    const added = await h.rpc.request(AddDomain, { app: 'shop', hostname: 'WWW.Example.com', by });
    assert.equal(added.hostname, 'www.example.com');
    assert.equal(added.kind, 'custom');
    assert.ok(!Number.isNaN(Date.parse(added.createdAt)));
    const [event] = await h.tap.waitFor(app.id, 1, 'DomainAdded');
    assert.deepEqual(event!.data, { appName: 'shop', hostname: 'www.example.com', kind: 'custom', by });
    assert.equal(event!.streamVersion, 3, 'after AppCreated and v1');
    assert.deepEqual((await h.rpc.request(ListReleases, { app: 'shop' })).map((r) => r.version), [1]);
  });

  test('adding it again to the same app is a conflict', async () => {
    await assert.rejects(h.rpc.request(AddDomain, { app: app.id, hostname: 'www.example.com', by }),
      typed('conflict', /^Domain already added to this app\.$/));
  });

  test('a hostname another app holds is a conflict and nothing is written', async () => {
    const events = (await h.rows('events')).length;
    await assert.rejects(h.rpc.request(AddDomain, { app: 'blog', hostname: 'www.example.com', by }),
      typed('conflict', /^www\.example\.com is already in use by another app\.$/));
    assert.equal((await h.rows('events')).length, events);
    assert.deepEqual(await h.rpc.request(ListDomains, { app: 'blog' }), []);
    // The rejected append left the other app's stream usable.
    assert.equal((await h.rpc.request(AddDomain, { app: 'blog', hostname: 'blog.example.com', by })).hostname, 'blog.example.com');
  });

  test('an invalid hostname is invalid_params saying what is wrong', async () => {
    await assert.rejects(h.rpc.request(AddDomain, { app: 'shop', hostname: '10.0.0.1', by }), typed('invalid_params', /IP address/));
    await assert.rejects(h.rpc.request(AddDomain, { app: 'shop', hostname: 'under_score.example.com', by }), typed('invalid_params', /under_score/));
  });

  test('domains are listed oldest first; a wildcard is one of them', async () => {
    await h.rpc.request(AddDomain, { app: 'shop', hostname: '*.shop.example.com', by });
    assert.deepEqual((await h.rpc.request(ListDomains, { app: 'shop' })).map((d) => [d.hostname, d.kind]),
      [['www.example.com', 'custom'], ['*.shop.example.com', 'custom']]);
    await assert.rejects(h.rpc.request(ListDomains, { app: 'nope' }), typed('not_found', /app/));
  });

  test('removing a domain answers with it, frees the hostname for another app; removing it again is not_found', async () => {
    const added = (await h.rpc.request(ListDomains, { app: 'shop' }))[0]!;
    assert.deepEqual(await h.rpc.request(RemoveDomain, { app: 'shop', hostname: 'www.example.com', by }), added);
    const [removed] = await h.tap.waitFor(app.id, 1, 'DomainRemoved');
    assert.deepEqual(removed!.data, { appName: 'shop', hostname: 'www.example.com', by });
    assert.deepEqual((await h.rpc.request(ListDomains, { app: 'shop' })).map((d) => d.hostname), ['*.shop.example.com']);
    await assert.rejects(h.rpc.request(RemoveDomain, { app: 'shop', hostname: 'www.example.com', by }),
      typed('not_found', /^Couldn't find that domain\.$/));
    assert.equal((await h.rpc.request(AddDomain, { app: 'blog', hostname: 'www.example.com', by })).hostname, 'www.example.com');
  });

  test('destroying an app frees its domains', async () => {
    await h.rpc.request(DestroyApp, { app: 'blog', by });
    assert.deepEqual((await h.db.selectFrom('domains').select('hostname').where('app_id', '=', other.id).execute()), []);
    assert.equal((await h.rpc.request(AddDomain, { app: 'shop', hostname: 'www.example.com', by })).hostname, 'www.example.com');
  });

  test('rebuilding the projections from the log restores the domains table', async () => {
    const before = await h.rows('domains');
    assert.equal(before.length, 2);
    await h.db.deleteFrom('domains').execute();
    await rebuildProjections(h.db);
    assert.deepEqual(await h.rows('domains'), before);
  });
});
