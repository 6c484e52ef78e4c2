import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { PaasError } from '@paas/contracts';
import { currentRelease, evolve } from '../src/domain/app-state.js';
import { formationOf } from '../src/domain/formation.js';
import { BUILD_1, BUILD_2, create, deploy, given, only, rollback, scale, setConfig, slug, when } from './domain-fixtures.js';

const typed = (id: string, message?: RegExp) => (e: PaasError) => e.id === id && (!message || message.test(e.message));
const web = slug({ web: 'npm start', worker: 'node worker.js' });

describe('deploying a slug', () => {
  test('given an app, when a slug with web is built, then "Deploy abc1234" with the config and web scaled to 1', () => {
    const events = when(given(create(), setConfig({ A: '1' })), deploy(web));
    assert.deepEqual(events.map((e) => e.type), ['ReleaseCreated', 'FormationScaled']);
    const r = only(events, 'ReleaseCreated');
    assert.equal(r.version, 3);
    assert.equal(r.description, 'Deploy abc1234');
    assert.deepEqual(r.slug, web);
    assert.deepEqual(r.config, { A: '1' });
    assert.equal(r.buildId, BUILD_1);
    const f = only(events, 'FormationScaled');
    assert.deepEqual(f.changed, [{ type: 'web', quantity: 1, size: 'standard-1x' }]);
    assert.deepEqual(f.formation, [{ type: 'web', quantity: 1, size: 'standard-1x' }, { type: 'worker', quantity: 0, size: 'standard-1x' }]);
  });

  test('given a slug without a commit, the release says just "Deploy"', () => {
    assert.equal(only(when(given(create()), deploy(slug({ web: 'x' }, null))), 'ReleaseCreated').description, 'Deploy');
  });

  test('given a released build, when its SlugBuilt is redelivered, then nothing happens', () => {
    assert.deepEqual(when(given(create(), deploy(web, BUILD_1)), deploy(web, BUILD_1)), []);
  });

  test('given a web scale already set, a later deploy does not scale web again', () => {
    const events = when(given(create(), deploy(web, BUILD_1), scale({ type: 'web', quantity: 0 })), deploy(web, BUILD_2));
    assert.deepEqual(events.map((e) => e.type), ['ReleaseCreated']);
  });

  test('given a slug without web, no formation change; the first slug with web later gets web=1', () => {
    const workerOnly = slug({ worker: 'node worker.js' });
    assert.deepEqual(when(given(create()), deploy(workerOnly)).map((e) => e.type), ['ReleaseCreated']);
    const f = only(when(given(create(), deploy(workerOnly, BUILD_1)), deploy(web, BUILD_2)), 'FormationScaled');
    assert.deepEqual(f.changed, [{ type: 'web', quantity: 1, size: 'standard-1x' }]);
  });

  test('the formation has an entry for every process type of the current slug', () => {
    const state = given(create(), deploy(web), scale({ type: 'worker', quantity: 2, size: 'standard-2x' }));
    assert.deepEqual(formationOf(currentRelease(state)!.slug, state.scale), [
      { type: 'web', quantity: 1, size: 'standard-1x' }, { type: 'worker', quantity: 2, size: 'standard-2x' },
    ]);
  });

  test('a process type the new slug drops loses its scale', () => {
    const state = given(create(), deploy(web, BUILD_1), scale({ type: 'worker', quantity: 2 }), deploy(slug({ web: 'npm start' }), BUILD_2));
    assert.deepEqual(Object.keys(state.scale), ['web']);
  });
});

describe('rolling back', () => {
  const history = () => given(create(), deploy(web, BUILD_1), setConfig({ A: '1' }));

  test('given v2 deployed and v3 a config change, when rolled back to v2, then v4 "Rollback to v2" with v2 slug and config', () => {
    const r = only(when(history(), rollback(2)), 'ReleaseCreated');
    assert.equal(r.version, 4);
    assert.equal(r.description, 'Rollback to v2');
    assert.deepEqual(r.slug, web);
    assert.deepEqual(r.config, {});
    assert.equal(r.rollbackOf, 2);
  });

  test('after a rollback the config is the rolled-back one', () => {
    const state = [...when(history(), rollback(2))].reduce(evolve, history());
    assert.deepEqual(state.config, {});
  });

  test('given v1 has no slug, when rolled back to it, then illegal_state with a clear message', () => {
    assert.throws(() => when(history(), rollback(1)), typed('illegal_state', /^Cannot roll back to v1: it has no slug/));
  });

  test('given no v9, when rolled back to it, then not_found', () => {
    assert.throws(() => when(history(), rollback(9)), typed('not_found'));
  });
});

describe('scaling', () => {
  test('given a deployed app, when worker is scaled, then FormationScaled with the whole formation and the change', () => {
    const f = only(when(given(create(), deploy(web)), scale({ type: 'worker', quantity: 3, size: 'standard-2x' })), 'FormationScaled');
    assert.deepEqual(f.changed, [{ type: 'worker', quantity: 3, size: 'standard-2x' }]);
    assert.deepEqual(f.formation.map((e) => [e.type, e.quantity]), [['web', 1], ['worker', 3]]);
  });

  test('given a type not in the current release, then not_found naming the type', () => {
    const state = given(create(), deploy(slug({ web: 'x' })));
    assert.throws(() => when(state, scale({ type: 'worker', quantity: 1 })), typed('not_found', /^Couldn't find that process type \(worker\)\.$/));
  });

  test('given no deployed slug, scaling web is not_found', () => {
    assert.throws(() => when(given(create()), scale({ type: 'web', quantity: 1 })), typed('not_found', /\(web\)/));
  });

  test('given a negative quantity, then invalid_params', () => {
    assert.throws(() => when(given(create(), deploy(web)), scale({ type: 'web', quantity: -1 })), typed('invalid_params'));
  });

  test('given the same scale again, then nothing happens', () => {
    assert.deepEqual(when(given(create(), deploy(web)), scale({ type: 'web', quantity: 1 })), []);
  });

  test('a size change alone keeps the quantity', () => {
    const f = only(when(given(create(), deploy(web)), scale({ type: 'web', size: 'standard-2x' })), 'FormationScaled');
    assert.deepEqual(f.changed, [{ type: 'web', quantity: 1, size: 'standard-2x' }]);
  });
});

describe('evolving the state', () => {
  test('every event moves the stream version; releases, config and released builds are remembered', () => {
    const state = given(create(), setConfig({ A: '1' }), deploy(web, BUILD_1), rollback(3));
    assert.equal(state.status, 'live');
    assert.equal(state.streamVersion, 7); // AppCreated, v1, ConfigVarsChanged, v2, v3, FormationScaled, v4
    assert.deepEqual(state.releases.map((r) => r.version), [1, 2, 3, 4]);
    assert.deepEqual(state.config, { A: '1' });
    assert.deepEqual(state.releasedBuilds, [BUILD_1], 'a rollback is not a new build');
  });

  test('a destroyed app stays destroyed', () => {
    assert.equal(given(create(), { type: 'DestroyApp', by: 'x' }).status, 'destroyed');
  });
});
