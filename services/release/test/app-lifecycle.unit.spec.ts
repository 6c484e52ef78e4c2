import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { PaasError } from '@paas/contracts';
import { initialState } from '../src/domain/app-state.js';
import { generateAppName } from '../src/domain/app-names.js';
import { APP_ID, create, deploy, destroy, given, only, OWNER, rollback, scale, setConfig, slug, when } from './domain-fixtures.js';

const typed = (id: string, message?: RegExp) => (e: PaasError) => e.id === id && (!message || message.test(e.message));

describe('creating an app', () => {
  test('given no app, when it is created, then AppCreated and the initial release v1 follow', () => {
    const events = when(initialState(APP_ID), create('myapp'));
    assert.deepEqual(events.map((e) => e.type), ['AppCreated', 'ReleaseCreated']);
    assert.deepEqual(only(events, 'AppCreated'), { name: 'myapp', stack: 'heroku-24', region: 'us', owner: OWNER });
    const v1 = only(events, 'ReleaseCreated');
    assert.equal(v1.version, 1);
    assert.equal(v1.description, 'Initial release');
    assert.equal(v1.slug, null);
    assert.deepEqual(v1.config, {});
    assert.equal(v1.rollbackOf, null);
  });

  test('given an app, when its stream is created again, then it is a conflict', () => {
    assert.throws(() => when(given(create()), create('other')), typed('conflict'));
  });

  test('given no app, when the name breaks the naming rule, then it is invalid', () => {
    assert.throws(() => when(initialState(APP_ID), create('My_App')), typed('invalid_params', /My_App/));
  });

  test('generated names look like floating-river-1234', () => {
    assert.match(generateAppName(Math.random), /^[a-z]+-[a-z]+-\d{4}$/);
    assert.equal(generateAppName(() => 0), 'floating-river-0000');
  });
});

describe('destroying an app', () => {
  test('given an app, when it is destroyed, then AppDestroyed', () => {
    assert.deepEqual(when(given(create()), destroy()), [{ type: 'AppDestroyed', data: { name: 'myapp', by: OWNER } }]);
  });

  test('given a destroyed or unknown app, every command is not_found', () => {
    for (const state of [given(create(), destroy()), initialState(APP_ID)]) {
      for (const c of [destroy(), setConfig({ A: '1' }), scale({ type: 'web', quantity: 1 }), rollback(1), deploy(slug({ web: 'x' }))]) {
        assert.throws(() => when(state, c), typed('not_found', /^Couldn't find that app\.$/), c.type);
      }
    }
  });
});

describe('config vars', () => {
  test('given an app, when vars are set, then ConfigVarsChanged and a release "Set A, B config vars" with the new config', () => {
    const events = when(given(create()), setConfig({ A: '1', B: '2' }));
    assert.deepEqual(only(events, 'ConfigVarsChanged').changes, { A: '1', B: '2' });
    const r = only(events, 'ReleaseCreated');
    assert.equal(r.version, 2);
    assert.equal(r.description, 'Set A, B config vars');
    assert.deepEqual(r.config, { A: '1', B: '2' });
  });

  test('given a var, when it is removed, then "Remove A config vars"', () => {
    const r = only(when(given(create(), setConfig({ A: '1', B: '2' })), setConfig({ A: null })), 'ReleaseCreated');
    assert.equal(r.description, 'Remove A config vars');
    assert.deepEqual(r.config, { B: '2' });
  });

  test('given a var, when one is set and one removed, then "Set B config vars, remove A"', () => {
    const r = only(when(given(create(), setConfig({ A: '1' })), setConfig({ B: '2', A: null })), 'ReleaseCreated');
    assert.equal(r.description, 'Set B config vars, remove A');
    assert.deepEqual(r.config, { B: '2' });
  });

  test('given a var, when it is set to its value or a missing one removed, then nothing happens', () => {
    assert.deepEqual(when(given(create(), setConfig({ A: '1' })), setConfig({ A: '1', MISSING: null })), []);
  });

  test('only the real changes of a mixed call are recorded', () => {
    const events = when(given(create(), setConfig({ A: '1' })), setConfig({ A: '1', B: '2' }));
    assert.deepEqual(only(events, 'ConfigVarsChanged').changes, { B: '2' });
    assert.equal(only(events, 'ReleaseCreated').description, 'Set B config vars');
  });

  test('given an app, when a name is empty or contains "=", then it is invalid and the value is not echoed', () => {
    assert.throws(() => when(given(create()), setConfig({ '': 'x' })), typed('invalid_params'));
    assert.throws(() => when(given(create()), setConfig({ 'A=B': 's3cret' })), (e: PaasError) => e.id === 'invalid_params' && !e.message.includes('s3cret'));
  });

  test('given a deployed app, a config release keeps the current slug', () => {
    const s = slug({ web: 'npm start' });
    const r = only(when(given(create(), deploy(s)), setConfig({ A: '1' })), 'ReleaseCreated');
    assert.deepEqual(r.slug, s);
    assert.equal(r.version, 3);
  });
});
