import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import {
  CreateApp, DestroyApp, GetRepoLink, LinkRepo, ListReleases, RecordRepoDeploy, UnlinkRepo, type AppInfo, type PaasError,
} from '@paas/contracts';
import { waitFor } from '@paas/testing';
import { rebuildProjections } from '../src/adapters/rebuild.js';
import { aSlug, Harness } from './harness.js';

const by = 'admin@paas.local';
const URL_WITH_TOKEN = 'https://deploy:tok3n@git.example.com/team/app.git';
const SHA = 'abc1234def5678abc1234def5678abc1234def56';
const typed = (id: string, message?: RegExp) => (e: PaasError) => e.id === id && (!message || message.test(e.message));

describe('release service: repository links over NATS request/reply', () => {
  const h = new Harness();
  let app: AppInfo;

  before(async () => {
    await h.start();
    app = await h.rpc.request(CreateApp, { name: 'linked', by });
    await h.rpc.request(CreateApp, { name: 'doomed', by });
  });
  after(() => h.stop());

  const links = async () => h.db.selectFrom('repo_links').selectAll().orderBy('app_id').execute();

  test('a link is stored with its secret (for the api), published as RepoLinked, and replaced by the next one; no release follows', async () => {
    const first = await h.rpc.request(LinkRepo, { app: 'linked', repoUrl: URL_WITH_TOKEN, branch: 'main', autoDeploy: true, secret: 'whsec', by });
    assert.deepEqual({ ...first, createdAt: undefined, updatedAt: undefined }, {
      appId: app.id, appName: 'linked', repoUrl: URL_WITH_TOKEN, branch: 'main', autoDeploy: true, secret: 'whsec', createdBy: by, createdAt: undefined, updatedAt: undefined,
    });
    const [event] = await h.tap.waitFor(app.id, 1, 'RepoLinked');
    assert.deepEqual(event!.data, { appName: 'linked', repoUrl: URL_WITH_TOKEN, branch: 'main', autoDeploy: true, secret: 'whsec', by });
    const second = await h.rpc.request(LinkRepo, { app: 'linked', repoUrl: URL_WITH_TOKEN, branch: 'release', autoDeploy: false, secret: null, by });
    assert.equal(second.createdAt, first.createdAt, 'the link keeps when it was first made');
    assert.deepEqual([second.branch, second.autoDeploy, second.secret], ['release', false, null]);
    assert.deepEqual((await h.rpc.request(ListReleases, { app: 'linked' })).map((r) => r.version), [1]);
  });

  test('a bad URL or branch is invalid_params and nothing is written; an unknown app is not_found', async () => {
    const events = (await h.rows('events')).length;
    await assert.rejects(h.rpc.request(LinkRepo, { app: 'linked', repoUrl: 'ssh://git.example.com/a.git', branch: 'main', autoDeploy: true, secret: null, by }), typed('invalid_params', /only http and https/));
    await assert.rejects(h.rpc.request(LinkRepo, { app: 'linked', repoUrl: URL_WITH_TOKEN, branch: 'a..b', autoDeploy: true, secret: null, by }), typed('invalid_params', /not a branch name/));
    await assert.rejects(h.rpc.request(GetRepoLink, { app: 'nope' }), typed('not_found'));
    assert.equal((await h.rows('events')).length, events);
  });

  test('a recorded repository deploy names its branch in the release of its build', async () => {
    const buildId = randomUUID();
    assert.deepEqual(await h.rpc.request(RecordRepoDeploy, { app: 'linked', buildId, branch: 'release', commit: SHA, trigger: 'manual', by }), { recorded: true });
    assert.deepEqual(await h.rpc.request(RecordRepoDeploy, { app: 'linked', buildId, branch: 'release', commit: SHA, trigger: 'manual', by }), { recorded: false });
    await h.slugBuilt(app.id, 'linked', aSlug({ web: 'node server.js' }, SHA), buildId);
    const release = await waitFor('the release of the build', async () => (await h.rpc.request(ListReleases, { app: 'linked' })).find((r) => r.buildId === buildId));
    assert.equal(release.description, 'Deploy abc1234 from release');
  });

  test('unlinking removes the link; destroying an app takes its link; rebuilding the projections restores the rest', async () => {
    await h.rpc.request(LinkRepo, { app: 'doomed', repoUrl: URL_WITH_TOKEN, branch: 'main', autoDeploy: true, secret: 'x', by });
    await h.rpc.request(DestroyApp, { app: 'doomed', by });
    assert.deepEqual((await links()).map((l) => l.app_id), [app.id]);
    const before = await links();
    await h.db.deleteFrom('repo_links').execute();
    await rebuildProjections(h.db);
    assert.deepEqual(await links(), before);
    await h.rpc.request(UnlinkRepo, { app: 'linked', by });
    assert.deepEqual(await links(), []);
    await assert.rejects(h.rpc.request(UnlinkRepo, { app: 'linked', by }), typed('not_found', /not linked/));
  });
});
