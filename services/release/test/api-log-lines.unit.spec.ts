import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { apiLogLines } from '../src/domain/api-log-lines.js';

describe('app[api] log lines', () => {
  test('given a config release, when logged, then the action comes before the release and no value appears', () => {
    const lines = apiLogLines('ReleaseCreated', { version: 3, description: 'Set GREETING config vars', by: 'admin@paas.local', config: { GREETING: 'secret-hello' } });
    assert.deepEqual(lines, ['Set GREETING config vars by user admin@paas.local', 'Release v3 created by user admin@paas.local']);
    assert.ok(!lines.join('\n').includes('secret-hello'));
  });

  test('given deploy and rollback releases, when logged, then Heroku\'s wording is used', () => {
    assert.equal(apiLogLines('ReleaseCreated', { version: 2, description: 'Deploy 1a2b3c4', by: 'a@b' })[0], 'Deploy 1a2b3c4 by user a@b');
    assert.equal(apiLogLines('ReleaseCreated', { version: 4, description: 'Rollback to v2', by: 'a@b' })[0], 'Rollback to v2 by user a@b');
  });

  test('given a scale, when logged, then every process type of the formation is listed', () => {
    const formation = [{ type: 'worker', quantity: 1, size: 'standard-1x' }, { type: 'web', quantity: 2, size: 'standard-2x' }];
    assert.deepEqual(apiLogLines('FormationScaled', { formation, changed: [], by: 'a@b' }), ['Scaled to web@2:standard-2x worker@1:standard-1x by user a@b']);
  });

  test('given an event users do not see in their log, when logged, then there is no line', () => {
    assert.deepEqual(apiLogLines('ConfigVarsChanged', { changes: { GREETING: 'secret-hello' }, by: 'a@b' }), []);
  });
});
