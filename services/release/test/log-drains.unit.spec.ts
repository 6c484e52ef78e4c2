import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { PaasError } from '@paas/contracts';
import type { AppCommand } from '../src/domain/decide.js';
import { findDrain } from '../src/domain/log-drains.js';
import { create, destroy, given, OWNER, when } from './domain-fixtures.js';

const typed = (id: string, message?: RegExp) => (e: PaasError) => e.id === id && (!message || message.test(e.message));
const addDrain = (url: string): AppCommand => ({ type: 'AddLogDrain', url, by: OWNER });
const removeDrain = (drain: string): AppCommand => ({ type: 'RemoveLogDrain', drain, by: OWNER });
const SYSLOG = 'syslog+tls://logs.example.com:6514';
const HTTPS = 'https://user:secret-pw@logs.example.com/drain?key=secret-key';

describe('adding a log drain', () => {
  test('given an app, when a syslog drain is added, then LogDrainAdded with a fresh id and a d.<uuid> token', () => {
    const [added, ...rest] = when(given(create()), addDrain(SYSLOG));
    assert.equal(rest.length, 0, 'no release follows');
    assert.equal(added!.type, 'LogDrainAdded');
    const d = added!.data as { appName: string; drainId: string; url: string; token: string; by: string };
    assert.equal(d.appName, 'myapp');
    assert.equal(d.url, SYSLOG);
    assert.equal(d.by, OWNER);
    assert.match(d.drainId, /^[0-9a-f-]{36}$/);
    assert.match(d.token, /^d\.[0-9a-f-]{36}$/);
  });

  test('given an app, when drains of every accepted scheme are added, then each is kept, oldest first', () => {
    const urls = [SYSLOG, 'syslog+tcp://10.0.0.5:514', 'syslog://logs.example.com', HTTPS];
    const state = given(create(), ...urls.map(addDrain));
    assert.deepEqual(state.logDrains.map((d) => d.url), urls);
    assert.equal(new Set(state.logDrains.map((d) => d.token)).size, urls.length);
  });

  test('given a URL of another scheme, not a URL, or a syslog URL with a path, when added, then invalid naming the accepted schemes, and the URL is not repeated', () => {
    for (const url of ['http://logs.example.com/x', 'ftp://user:secret-pw@logs.example.com', 'logs.example.com:514', 'syslog+tls://logs.example.com:6514/path?key=secret-key', '']) {
      assert.throws(() => when(given(create()), addDrain(url)), (e: PaasError) =>
        e.id === 'invalid_params' && /syslog\+tls:\/\/.*syslog\+tcp:\/\/.*https:\/\//.test(e.message) && !e.message.includes('secret'), url);
    }
  });

  test('given the app drains to a URL, when it is added again, then invalid: taken', () => {
    assert.throws(() => when(given(create(), addDrain(HTTPS)), addDrain(HTTPS)), typed('invalid_params', /already been taken/));
  });

  test('given no app or a destroyed one, when a drain is added, then not_found', () => {
    assert.throws(() => when(given(create(), destroy()), addDrain(SYSLOG)), typed('not_found', /app/));
  });
});

describe('removing a log drain', () => {
  test('given a drain, when removed by id, token or url, then LogDrainRemoved names it', () => {
    const state = given(create(), addDrain(SYSLOG), addDrain(HTTPS));
    const https = state.logDrains[1]!;
    for (const ref of [https.id, https.token, https.url, https.token.toUpperCase().replace('D.', 'd.')]) {
      assert.deepEqual(when(state, removeDrain(ref)), [{ type: 'LogDrainRemoved', data: { appName: 'myapp', drainId: https.id, by: OWNER } }], ref);
    }
  });

  test('given a removed drain, when the state is folded, then it is gone and its URL may be added again', () => {
    const first = given(create(), addDrain(SYSLOG));
    const state = given(create(), addDrain(SYSLOG), removeDrain(first.logDrains[0]!.id));
    assert.deepEqual(state.logDrains, []);
    assert.equal(when(state, addDrain(SYSLOG))[0]!.type, 'LogDrainAdded');
  });

  test('given no such drain, when removed, then not_found', () => {
    assert.throws(() => when(given(create(), addDrain(SYSLOG)), removeDrain('https://elsewhere.example.com')), typed('not_found', /log drain/));
    assert.equal(findDrain([], 'x'), undefined);
  });
});
