import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { PaasError } from '@paas/contracts';
import type { AppCommand } from '../src/domain/decide.js';
import { PENDING_REPO_DEPLOYS } from '../src/domain/repo-links.js';
import { BUILD_1, BUILD_2, create, deploy, destroy, given, only, OWNER, slug, when } from './domain-fixtures.js';

const URL_WITH_TOKEN = 'https://deploy:secret-token@git.example.com/team/app.git';
const SHA = 'abc1234def5678abc1234def5678abc1234def56';
const link = (o: Partial<{ repoUrl: string; branch: string; autoDeploy: boolean; secret: string | null }> = {}): AppCommand => ({
  type: 'LinkRepo', repoUrl: URL_WITH_TOKEN, branch: 'main', autoDeploy: true, secret: 'whsec', by: OWNER, ...o,
});
const unlink = (): AppCommand => ({ type: 'UnlinkRepo', by: OWNER });
const repoDeploy = (buildId = BUILD_1, branch = 'main'): AppCommand => ({ type: 'RecordRepoDeploy', buildId, branch, commit: SHA, trigger: 'webhook', by: OWNER });
const typed = (id: string, message: RegExp) => (e: PaasError) => e.id === id && message.test(e.message) && !e.message.includes('secret-token');

describe('linking an app to a repository', () => {
  test('given an app, when it is linked, then RepoLinked records the url, branch, auto_deploy and secret; a second link replaces it', () => {
    const linked = only(when(given(create()), link()), 'RepoLinked');
    assert.deepEqual(linked, { appName: 'myapp', repoUrl: URL_WITH_TOKEN, branch: 'main', autoDeploy: true, secret: 'whsec', by: OWNER });
    const state = given(create(), link(), link({ branch: 'release/v2', autoDeploy: false, secret: null }));
    assert.deepEqual(state.repoLink, { repoUrl: URL_WITH_TOKEN, branch: 'release/v2', autoDeploy: false, hasSecret: false });
  });

  test('given a URL that is not http(s) or a bad branch name, when linked, then invalid saying why, never repeating the URL', () => {
    assert.throws(() => when(given(create()), link({ repoUrl: 'ssh://deploy:secret-token@git.example.com/app.git' })), typed('invalid_params', /only http and https/));
    assert.throws(() => when(given(create()), link({ repoUrl: 'not a url secret-token' })), typed('invalid_params', /not a URL/));
    for (const branch of ['', 'a..b', 'has space', '-x', 'refs/heads/main', 'x.lock', 'a/.hidden']) {
      assert.throws(() => when(given(create()), link({ branch })), typed('invalid_params', /not a branch name/), branch);
    }
    assert.throws(() => when(given(create()), link({ secret: '' })), typed('invalid_params', /secret must be 1 to 256/));
  });

  test('given a link, when unlinked, then RepoUnlinked; unlinking again is not_found', () => {
    const state = given(create(), link());
    assert.deepEqual(only(when(state, unlink()), 'RepoUnlinked'), { appName: 'myapp', by: OWNER });
    assert.throws(() => when(given(create(), link(), unlink()), unlink()), typed('not_found', /not linked/));
  });

  test('given a destroyed app, when linked, then not_found', () => {
    assert.throws(() => when(given(create(), destroy()), link()), typed('not_found', /Couldn't find that app/));
  });
});

describe('deploys from the linked repository', () => {
  test('given a recorded repository deploy, when its slug is built, then the release reads "Deploy <sha> from <branch>"', () => {
    const state = given(create(), link(), repoDeploy(BUILD_1, 'main'));
    const release = only(when(state, deploy(slug({ web: 'python3 app.py' }, SHA), BUILD_1)), 'ReleaseCreated');
    assert.equal(release.description, 'Deploy abc1234 from main');
  });

  test('given a git push build (no repository deploy recorded), when its slug is built, then the release reads "Deploy <sha>" as before', () => {
    const state = given(create(), link(), repoDeploy(BUILD_1, 'feature'));
    assert.equal(only(when(state, deploy(slug({ web: 'x' }, SHA), BUILD_2)), 'ReleaseCreated').description, 'Deploy abc1234');
  });

  test('given a released repository deploy, then it is no longer pending; a repeated record of a build records nothing', () => {
    const state = given(create(), link(), repoDeploy(BUILD_1), deploy(slug({ web: 'x' }, SHA), BUILD_1));
    assert.deepEqual(state.repoDeploys, {});
    assert.deepEqual(when(state, repoDeploy(BUILD_1)), [], 'the build was already released');
    assert.deepEqual(when(given(create(), link(), repoDeploy(BUILD_2)), repoDeploy(BUILD_2)), []);
  });

  test('given an app without a link, when a repository deploy is recorded, then not_found', () => {
    assert.throws(() => when(given(create()), repoDeploy()), typed('not_found', /not linked/));
  });

  test('pending repository deploys are bounded: the oldest are forgotten', () => {
    const builds = Array.from({ length: PENDING_REPO_DEPLOYS + 5 }, (_, i) => `b0000000-0000-4000-8000-${String(i + 10).padStart(12, '0')}`);
    const state = given(create(), link(), ...builds.map((b) => repoDeploy(b)));
    assert.equal(Object.keys(state.repoDeploys).length, PENDING_REPO_DEPLOYS);
    assert.ok(!(builds[0]! in state.repoDeploys) && builds.at(-1)! in state.repoDeploys);
  });
});
