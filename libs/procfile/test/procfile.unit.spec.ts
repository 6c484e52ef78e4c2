import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseProcfile } from '../src/index.js';

test('parses process types, skipping comments and blank lines', () => {
  const r = parseProcfile('# comment\nweb: node server.js --port $PORT\n\nworker:python worker.py\n');
  assert.deepEqual(r, { ok: true, processTypes: { web: 'node server.js --port $PORT', worker: 'python worker.py' } });
});

test('a line without a command is rejected with its line number', () => {
  const r = parseProcfile('web: node a.js\nworker:\n');
  assert.equal(r.ok, false);
  assert.match((r as { error: string }).error, /line 2: process type "worker" has no command/);
});

test('a malformed line is rejected with its line number', () => {
  const r = parseProcfile('web node a.js');
  assert.equal(r.ok, false);
  assert.match((r as { error: string }).error, /line 1 is not/);
});

test('a duplicate process type is rejected', () => {
  const r = parseProcfile('web: a\nweb: b');
  assert.equal(r.ok, false);
});
