import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BuildError } from '../src/domain/build-error.js';
import { describeProcessTypes, resolveProcessTypes } from '../src/domain/process-types.js';

describe('process type resolution', () => {
  test('given a Procfile and buildpack defaults, when resolved, then the Procfile wins outright', () => {
    const r = resolveProcessTypes('worker: node worker.js\nweb: node server.js\n', { web: 'npm start' });
    assert.deepEqual(r, { processTypes: { worker: 'node worker.js', web: 'node server.js' }, source: 'Procfile' });
    assert.deepEqual(describeProcessTypes(r), ['Procfile declares types -> worker, web']);
  });

  test('given a Procfile without web, when resolved, then the default web is not added and the output says no HTTP traffic', () => {
    const r = resolveProcessTypes('worker: node worker.js\n', { web: 'npm start' });
    assert.deepEqual(r.processTypes, { worker: 'node worker.js' });
    assert.deepEqual(describeProcessTypes(r), ['Procfile declares types -> worker', 'No web process type: this app will not receive HTTP traffic']);
  });

  test('given no Procfile, when resolved, then the buildpack defaults apply (Node: web npm start)', () => {
    const r = resolveProcessTypes(undefined, { web: 'npm start' });
    assert.deepEqual(r, { processTypes: { web: 'npm start' }, source: 'buildpack' });
    assert.deepEqual(describeProcessTypes(r), ['Default types for buildpack -> web']);
  });

  test('given no Procfile and no defaults, when described, then "(none)" and the no-web warning', () => {
    assert.deepEqual(describeProcessTypes(resolveProcessTypes(undefined, {})), [
      'Default types for buildpack -> (none)', 'No web process type: this app will not receive HTTP traffic',
    ]);
  });

  test('given a malformed Procfile line, when resolved, then the build fails with its line number', () => {
    assert.throws(() => resolveProcessTypes('web: ok\nthis is not a process\n', {}), (e: BuildError) => e instanceof BuildError && /Procfile line 2/.test(e.message));
  });

  test('given a type without a command, when resolved, then the build fails naming the line and the type', () => {
    assert.throws(() => resolveProcessTypes('# c\nweb: node a.js\nworker:\n', {}), /Procfile line 3: process type "worker" has no command/);
  });
});
