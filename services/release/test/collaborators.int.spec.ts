import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AddCollaborator, CreateAccount, CreateApp, DestroyApp, GetApp, GetConfigVars, ListApps, ListCollaborators, ListReleases,
  RemoveCollaborator, SetConfigVars, type AppInfo, type PaasError,
} from '@paas/contracts';
import { rebuildProjections } from '../src/adapters/rebuild.js';
import { Harness } from './harness.js';

const typed = (id: string, message?: RegExp) => (e: PaasError) => e.id === id && (!message || message.test(e.message));
const noApp = typed('not_found', /^Couldn't find that app\.$/);
const OWNER = 'owner@example.com';
const DEV = 'dev@example.com';
const STRANGER = 'stranger@example.com';

describe('release service: collaborators and actor scoping over NATS request/reply', () => {
  const h = new Harness();
  let shop: AppInfo;
  let blog: AppInfo;

  before(async () => {
    await h.start();
    for (const email of [OWNER, DEV, STRANGER]) await h.rpc.request(CreateAccount, { email, password: 'long enough password' });
    shop = await h.rpc.request(CreateApp, { name: 'shop', by: OWNER });
    blog = await h.rpc.request(CreateApp, { name: 'blog', by: STRANGER });
  });
  after(() => h.stop());

  test('the owner is the only one listed at first', async () => {
    const list = await h.rpc.request(ListCollaborators, { app: 'shop' });
    assert.deepEqual(list, [{ email: OWNER, role: 'owner', createdAt: shop.createdAt }]);
  });

  test('adding an existing account answers it and publishes CollaboratorAdded', async () => {
    const added = await h.rpc.request(AddCollaborator, { app: 'shop', email: 'DEV@example.com', by: OWNER, actor: OWNER });
    assert.equal(added.email, DEV);
    assert.equal(added.role, 'collaborator');
    const [event] = await h.tap.waitFor(shop.id, 1, 'CollaboratorAdded');
    assert.deepEqual(event!.data, { appName: 'shop', email: DEV, by: OWNER });
    assert.deepEqual((await h.rpc.request(ListCollaborators, { app: 'shop' })).map((c) => [c.email, c.role]),
      [[OWNER, 'owner'], [DEV, 'collaborator']]);
  });

  test('adding an unknown account is not_found; the owner or a collaborator again is a conflict', async () => {
    await assert.rejects(h.rpc.request(AddCollaborator, { app: 'shop', email: 'ghost@example.com', by: OWNER }), typed('not_found', /ghost/));
    await assert.rejects(h.rpc.request(AddCollaborator, { app: 'shop', email: DEV, by: OWNER }),
      typed('conflict', /^dev@example\.com is already a collaborator on this app\.$/));
    await assert.rejects(h.rpc.request(AddCollaborator, { app: 'shop', email: OWNER, by: OWNER }),
      typed('conflict', /^owner@example\.com is already a collaborator on this app\.$/));
  });

  test('removing the owner is illegal_state; a non-collaborator not_found', async () => {
    await assert.rejects(h.rpc.request(RemoveCollaborator, { app: 'shop', email: OWNER, by: OWNER }),
      typed('illegal_state', /^The owner of an app cannot be removed\.$/));
    await assert.rejects(h.rpc.request(RemoveCollaborator, { app: 'shop', email: STRANGER, by: OWNER }), typed('not_found'));
  });

  test('a stranger gets not_found for the app, sees only their apps, cannot change config or collaborators', async () => {
    await assert.rejects(h.rpc.request(GetApp, { app: 'shop', actor: STRANGER }), noApp);
    await assert.rejects(h.rpc.request(GetApp, { app: shop.id, actor: STRANGER }), noApp);
    await assert.rejects(h.rpc.request(SetConfigVars, { app: 'shop', changes: { A: '1' }, by: STRANGER, actor: STRANGER }), noApp);
    await assert.rejects(h.rpc.request(ListReleases, { app: 'shop', actor: STRANGER }), noApp);
    await assert.rejects(h.rpc.request(ListCollaborators, { app: 'shop', actor: STRANGER }), noApp);
    await assert.rejects(h.rpc.request(AddCollaborator, { app: 'shop', email: STRANGER, by: STRANGER, actor: STRANGER }), noApp);
    await assert.rejects(h.rpc.request(DestroyApp, { app: 'shop', by: STRANGER, actor: STRANGER }), noApp);
    assert.deepEqual((await h.rpc.request(ListApps, { actor: STRANGER })).map((a) => a.name), ['blog']);
    assert.deepEqual(await h.rpc.request(GetConfigVars, { app: 'shop' }), {}, 'nothing was set');
  });

  test('the owner and a collaborator (any case) work on the app; the admin (no actor) sees everything', async () => {
    assert.equal((await h.rpc.request(GetApp, { app: 'shop', actor: OWNER })).id, shop.id);
    assert.equal((await h.rpc.request(GetApp, { app: 'shop', actor: 'Dev@Example.com' })).id, shop.id);
    const set = await h.rpc.request(SetConfigVars, { app: 'shop', changes: { A: '1' }, by: DEV, actor: DEV });
    assert.deepEqual(set.config, { A: '1' });
    assert.deepEqual(await h.rpc.request(GetConfigVars, { app: 'shop', actor: OWNER }), { A: '1' });
    assert.deepEqual((await h.rpc.request(ListApps, { actor: DEV })).map((a) => a.name), ['shop']);
    assert.deepEqual((await h.rpc.request(ListApps, { actor: OWNER })).map((a) => a.name), ['shop']);
    assert.deepEqual((await h.rpc.request(ListApps, {})).map((a) => a.name), ['blog', 'shop']);
    assert.equal((await h.rpc.request(GetApp, { app: 'blog' })).id, blog.id);
  });

  test('rebuilding the projections restores the collaborators table', async () => {
    const before = await h.rows('collaborators');
    assert.equal(before.length, 1);
    await h.db.deleteFrom('collaborators').execute();
    await rebuildProjections(h.db);
    assert.deepEqual(await h.rows('collaborators'), before);
  });

  test('removing a collaborator answers it, publishes CollaboratorRemoved and ends their access', async () => {
    const listed = (await h.rpc.request(ListCollaborators, { app: 'shop' }))[1]!;
    assert.deepEqual(await h.rpc.request(RemoveCollaborator, { app: 'shop', email: DEV, by: OWNER, actor: OWNER }), listed);
    const [event] = await h.tap.waitFor(shop.id, 1, 'CollaboratorRemoved');
    assert.deepEqual(event!.data, { appName: 'shop', email: DEV, by: OWNER });
    await assert.rejects(h.rpc.request(GetApp, { app: 'shop', actor: DEV }), noApp);
    assert.deepEqual(await h.rpc.request(ListApps, { actor: DEV }), []);
  });

  test('destroying the app removes its collaborators', async () => {
    await h.rpc.request(AddCollaborator, { app: 'shop', email: DEV, by: OWNER });
    await h.rpc.request(DestroyApp, { app: 'shop', by: OWNER, actor: OWNER });
    assert.deepEqual(await h.rows('collaborators'), []);
  });
});
