import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { decidePush, pushPayload, signBody, validSignature } from '../src/domain/push-webhook.js';

const SECRET = "It's a Secret to Everybody";
const SHA = 'a'.repeat(40);
const link = { branch: 'main', autoDeploy: true };
const push = (o: Record<string, unknown> = {}) => ({ ref: 'refs/heads/main', before: '0'.repeat(40), after: SHA, deleted: false, head_commit: { id: SHA }, repository: { full_name: 't/a' }, ...o });

describe('X-Hub-Signature-256', () => {
  test('GitHub\'s documented example verifies', () => {
    // From GitHub's "Validating webhook deliveries" page.
    const body = Buffer.from('Hello, World!');
    assert.equal(validSignature(SECRET, body, 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17'), true);
  });

  test('a signature of the exact raw bytes under the secret passes; anything else fails', () => {
    const body = Buffer.from(JSON.stringify(push()));
    const good = `sha256=${createHmac('sha256', 's').update(body).digest('hex')}`;
    assert.equal(signBody('s', body), good);
    assert.equal(validSignature('s', body, good), true);
    assert.equal(validSignature('s', body, good.toUpperCase().replace('SHA256=', 'sha256=')), false, 'hex compared as sent');
    assert.equal(validSignature('other', body, good), false, 'another secret');
    assert.equal(validSignature('s', Buffer.from(JSON.stringify(push()) + ' '), good), false, 'one byte more');
    assert.equal(validSignature('s', body, undefined), false, 'unsigned');
    assert.equal(validSignature('s', body, ''), false);
    assert.equal(validSignature('s', body, good.slice(7)), false, 'without the sha256= prefix');
    assert.equal(validSignature('s', body, 'sha256=abc'), false, 'another length');
    assert.equal(validSignature('s', body, `sha1=${createHmac('sha1', 's').update(body).digest('hex')}`), false, 'the old sha1 header format');
  });
});

describe('reading a delivery', () => {
  test('a push to the linked branch deploys its after commit', () => {
    assert.deepEqual(decidePush('push', push(), link), { action: 'deploy', branch: 'main', commit: SHA });
    assert.deepEqual(decidePush('push', push({ after: SHA.toUpperCase() }), link), { action: 'deploy', branch: 'main', commit: SHA });
    assert.deepEqual(decidePush('push', push({ after: undefined }), link), { action: 'deploy', branch: 'main', commit: SHA }, 'head_commit.id when after is missing');
    assert.deepEqual(decidePush('push', push({ ref: 'refs/heads/release/v2' }), { branch: 'release/v2', autoDeploy: true }), { action: 'deploy', branch: 'release/v2', commit: SHA });
  });

  test('ping, other events, other branches, tags, deletions and auto_deploy off are not deploys', () => {
    assert.deepEqual(decidePush('ping', { zen: 'x' }, link), { action: 'ping' });
    assert.match((decidePush('issues', {}, link) as { reason: string }).reason, /only push events deploy/);
    assert.match((decidePush(undefined, push(), link) as { reason: string }).reason, /without an X-GitHub-Event/);
    assert.deepEqual(decidePush('push', push({ ref: 'refs/heads/feature' }), link), { action: 'ignore', reason: 'Ignored a push to feature: this app deploys main.' });
    assert.match((decidePush('push', push({ ref: 'refs/tags/v1' }), link) as { reason: string }).reason, /only branches deploy/);
    assert.match((decidePush('push', push({ deleted: true, after: '0'.repeat(40), head_commit: null }), link) as { reason: string }).reason, /Ignored the deletion of main/);
    assert.match((decidePush('push', push({ after: '0'.repeat(40) }), link) as { reason: string }).reason, /deletion/);
    const off = decidePush('push', push(), { branch: 'main', autoDeploy: false });
    assert.equal(off.action, 'ignore');
    assert.match((off as { reason: string }).reason, /automatic deploys are off/);
  });

  test('a push without a ref or a commit id is invalid', () => {
    assert.equal(decidePush('push', null, link).action, 'invalid');
    assert.equal(decidePush('push', push({ ref: 42 }), link).action, 'invalid');
    assert.equal(decidePush('push', push({ after: 'not-a-sha', head_commit: null }), link).action, 'invalid');
  });

  test('the body is JSON, or a form with the JSON in payload', () => {
    const json = JSON.stringify(push());
    assert.deepEqual(pushPayload('application/json', Buffer.from(json)), push());
    assert.deepEqual(pushPayload('application/x-www-form-urlencoded', Buffer.from(new URLSearchParams({ payload: json }).toString())), push());
    assert.equal(pushPayload('application/json', Buffer.from('{not json')), undefined);
    assert.equal(pushPayload('application/x-www-form-urlencoded', Buffer.from('a=b')), undefined);
  });
});
