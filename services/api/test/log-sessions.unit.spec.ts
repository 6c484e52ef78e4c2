import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  lastEventId, matches, RECONNECT_GRACE_MS, SESSION_TTL_MS, sessionFor, sessionKey, signSession, sseEvent, verifySession,
} from '../src/logs/log-sessions.js';

const key = sessionKey('admin-key');
const now = Date.UTC(2026, 10, 24, 21, 0, 0);
const appId = '0b7e4c1e-8f4a-4d7b-9a57-2c1f3e6d5a01';

describe('log session tokens', () => {
  test('given a fresh token, when verified, then it carries the session asked for', () => {
    const session = sessionFor(appId, { lines: 20, tail: true, source: 'app', dyno: 'web' }, now);
    assert.deepEqual(verifySession(signSession(session, key), key, now + 1000), session);
  });

  test('given an empty body, when a session is made, then Heroku\'s defaults apply and lines are capped at 1500', () => {
    assert.deepEqual(sessionFor(appId, undefined, now), { appId, lines: 100, tail: false, source: null, dyno: null, exp: now + SESSION_TTL_MS });
    assert.equal(sessionFor(appId, { lines: 5000, type: 'web' }, now).lines, 1500);
    assert.throws(() => sessionFor(appId, { source: 'system' }, now));
    assert.throws(() => sessionFor(appId, { lines: -1 }, now));
  });

  test('given a token with a changed payload or signature, or another key, when verified, then it is refused', () => {
    const token = signSession(sessionFor(appId, {}, now), key);
    const [payload, sig] = token.split('.');
    const forged = Buffer.from(JSON.stringify({ ...sessionFor(appId, {}, now), lines: 1500 })).toString('base64url');
    assert.equal(verifySession(`${forged}.${sig}`, key, now), undefined);
    assert.equal(verifySession(`${payload}.${sig!.slice(0, -2)}AA`, key, now), undefined);
    assert.equal(verifySession(`${payload}.`, key, now), undefined);
    assert.equal(verifySession('garbage', key, now), undefined);
    assert.equal(verifySession(token, sessionKey('another-key'), now), undefined);
  });

  test('given an expired token, when verified, then it is refused unless a tail reconnects within the grace', () => {
    const token = signSession(sessionFor(appId, { tail: true }, now), key);
    assert.ok(verifySession(token, key, now + SESSION_TTL_MS));
    assert.equal(verifySession(token, key, now + SESSION_TTL_MS + 1), undefined);
    assert.ok(verifySession(token, key, now + SESSION_TTL_MS + 1, true));
    assert.equal(verifySession(token, key, now + SESSION_TTL_MS + RECONNECT_GRACE_MS + 1, true), undefined);
  });
});

describe('log filters and events', () => {
  const line = (source: 'app' | 'heroku', dyno: string) => ({ ts: '2026-11-24T21:00:00.000000Z', source, dyno, line: 'x' });

  test('given a dyno type filter, when matching, then every dyno of that type passes and only those', () => {
    const f = { source: null, dyno: 'web' };
    assert.ok(matches(f, line('app', 'web.1')));
    assert.ok(matches(f, line('heroku', 'web.2')));
    assert.ok(!matches(f, line('app', 'worker.1')));
    assert.ok(!matches(f, line('app', 'webhook.1')));
  });

  test('given a dyno name or a source filter, when matching, then only exact matches pass', () => {
    assert.ok(matches({ source: null, dyno: 'web.1' }, line('app', 'web.1')));
    assert.ok(!matches({ source: null, dyno: 'web.1' }, line('app', 'web.12')));
    assert.ok(matches({ source: 'heroku', dyno: 'router' }, line('heroku', 'router')));
    assert.ok(!matches({ source: 'heroku', dyno: null }, line('app', 'api')));
    assert.ok(matches({ source: null, dyno: null }, line('app', 'api')));
  });

  test('given a line, when sent as an event, then it has its sequence as id and one data field per text line', () => {
    assert.equal(sseEvent(7, 'a'), 'id: 7\ndata: a\n\n');
    assert.equal(sseEvent(8, 'a\nb'), 'id: 8\ndata: a\ndata: b\n\n');
  });

  test('given a Last-Event-ID header, when read, then only a sequence number counts', () => {
    assert.equal(lastEventId('42'), 42);
    assert.equal(lastEventId(undefined), undefined);
    assert.equal(lastEventId('abc'), undefined);
    assert.equal(lastEventId('-1'), undefined);
  });
});
