import { test } from 'node:test';
import assert from 'node:assert/strict';
import { substituteProcessType } from '../src/domain/one-off.js';

const types = { web: 'node server.js', worker: 'node worker.js --queue default' };

test('given `run web`, when substituted, then the web command runs', () => {
  assert.equal(substituteProcessType('web', types), 'node server.js');
});

test('given `run worker --fast`, when substituted, then the arguments follow the worker command', () => {
  assert.equal(substituteProcessType('worker --fast', types), 'node worker.js --queue default --fast');
});

test('given a command that is no process type, when substituted, then it runs as written', () => {
  assert.equal(substituteProcessType('echo web', types), 'echo web');
  assert.equal(substituteProcessType('bash -c "echo $PORT"', types), 'bash -c "echo $PORT"');
});
