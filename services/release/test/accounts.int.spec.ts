import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  Authenticate, CreateAccount, CreateApp, IssueToken, ListTokens, RevokeToken, VerifyToken, type AccountInfo, type PaasError,
} from '@paas/contracts';
import type { NatsConnection } from '@paas/messaging';
import { waitFor } from '@paas/testing';
import { rebuildProjections } from '../src/adapters/rebuild.js';
import { Harness } from './harness.js';

const typed = (id: string, message?: RegExp) => (e: PaasError) => e.id === id && (!message || message.test(e.message));
const invalidCredentials = typed('unauthorized', /^Invalid credentials provided\.$/);
type Subscription = ReturnType<NatsConnection['subscribe']>;
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

describe('release service: accounts and API tokens over NATS request/reply', () => {
  const h = new Harness();
  const onNats: string[] = [];
  let sub: Subscription;
  let dev: AccountInfo;
  let other: AccountInfo;

  before(async () => {
    await h.start();
    // Every message on the namespace's event subjects, raw, to prove no credential hash goes out.
    sub = h.nc.subscribe(`${h.namespace}.events.>`);
    void (async () => { for await (const m of sub) onNats.push(m.string()); })();
  });
  after(async () => {
    sub?.unsubscribe();
    await h.stop();
  });

  test('creating an account stores the email lowercase and answers without the password hash', async () => {
    dev = await h.rpc.request(CreateAccount, { email: 'Dev@Example.com', password: 'correct horse battery' });
    assert.equal(dev.email, 'dev@example.com');
    assert.deepEqual(Object.keys(dev).sort(), ['createdAt', 'email', 'id']);
    other = await h.rpc.request(CreateAccount, { email: 'other@example.com', password: 'another password' });
    const [row] = await h.db.selectFrom('accounts').selectAll().where('id', '=', dev.id).execute();
    assert.match(row!.password_hash, /^scrypt\$32768\$8\$1\$/);
  });

  test('a taken email (any case) is a conflict and nothing is written', async () => {
    const events = (await h.rows('events')).length;
    await assert.rejects(h.rpc.request(CreateAccount, { email: 'DEV@example.com', password: 'whatever123' }),
      typed('conflict', /^Email dev@example\.com is already taken\.$/));
    assert.equal((await h.rows('events')).length, events);
    assert.equal((await h.rows('accounts')).length, 2);
  });

  test('authenticate: the right pair answers the account; a wrong password or unknown email the same unauthorized', async () => {
    assert.deepEqual(await h.rpc.request(Authenticate, { email: 'DEV@example.com', password: 'correct horse battery' }), dev);
    await assert.rejects(h.rpc.request(Authenticate, { email: 'dev@example.com', password: 'wrong horse battery' }), invalidCredentials);
    await assert.rejects(h.rpc.request(Authenticate, { email: 'nobody@example.com', password: 'correct horse battery' }), invalidCredentials);
  });

  test('an issued token verifies by its sha256 until it is revoked; revoking again answers the same', async () => {
    const issued = await h.rpc.request(IssueToken, { accountId: dev.id, description: 'laptop' });
    assert.match(issued.token, /^paas_[A-Za-z0-9_-]{43}$/);
    assert.equal(issued.expiresAt, null);
    const [row] = await h.db.selectFrom('api_tokens').selectAll().where('id', '=', issued.id).execute();
    assert.equal(row!.token_hash, sha256(issued.token), 'only the hash is stored');
    assert.deepEqual(await h.rpc.request(VerifyToken, { tokenHash: sha256(issued.token) }), { ...dev, tokenId: issued.id });
    await assert.rejects(h.rpc.request(VerifyToken, { tokenHash: sha256('paas_unknown') }), invalidCredentials);

    await assert.rejects(h.rpc.request(RevokeToken, { accountId: other.id, tokenId: issued.id }), typed('not_found', /token/));
    assert.ok(await h.rpc.request(VerifyToken, { tokenHash: sha256(issued.token) }), 'another account could not revoke it');
    const revoked = await h.rpc.request(RevokeToken, { accountId: dev.id, tokenId: issued.id });
    assert.ok(revoked.revokedAt);
    await assert.rejects(h.rpc.request(VerifyToken, { tokenHash: sha256(issued.token) }), invalidCredentials);
    assert.deepEqual(await h.rpc.request(RevokeToken, { accountId: dev.id, tokenId: issued.id }), revoked);
  });

  test('a token past its expiry is unauthorized', async () => {
    const issued = await h.rpc.request(IssueToken, { accountId: dev.id, description: 'short', expiresInSeconds: 1 });
    assert.ok(Date.parse(issued.expiresAt!) > Date.now() - 1000);
    assert.equal((await h.rpc.request(VerifyToken, { tokenHash: sha256(issued.token) })).tokenId, issued.id);
    const err = await waitFor('the token to expire', () => h.rpc.request(VerifyToken, { tokenHash: sha256(issued.token) })
      .then((): false => false, (e: PaasError) => e), { timeoutMs: 5000 });
    assert.ok(invalidCredentials(err), err.message);
  });

  test('ListTokens lists the account\'s tokens oldest first, never their values; an unknown account is not_found', async () => {
    const tokens = await h.rpc.request(ListTokens, { accountId: dev.id });
    assert.deepEqual(tokens.map((t) => t.description), ['laptop', 'short']);
    assert.ok(tokens[0]!.revokedAt && !tokens[1]!.revokedAt);
    assert.ok(tokens.every((t) => !('token' in t) && t.accountId === dev.id));
    assert.deepEqual(await h.rpc.request(ListTokens, { accountId: other.id }), []);
    await assert.rejects(h.rpc.request(ListTokens, { accountId: '00000000-0000-4000-8000-000000000000' }), typed('not_found'));
    await assert.rejects(h.rpc.request(IssueToken, { accountId: '00000000-0000-4000-8000-000000000000', description: 'x' }), typed('not_found'));
  });

  test('no password hash or token hash ever reaches NATS; account events stay out of the outbox', async () => {
    const app = await h.rpc.request(CreateApp, { name: 'marker', by: 'admin@paas.local' });
    await h.tap.waitFor(app.id, 2); // published after every account event: the outbox goes in log order
    await waitFor('the raw subscription to see the app events', () => onNats.some((m) => m.includes(app.id)));
    const secrets = [
      ...(await h.db.selectFrom('accounts').select('password_hash').execute()).map((r) => r.password_hash),
      ...(await h.db.selectFrom('api_tokens').select('token_hash').execute()).map((r) => r.token_hash),
    ];
    assert.equal(secrets.length, 4);
    for (const secret of secrets) assert.ok(!onNats.some((m) => m.includes(secret)), 'a credential hash was published');
    assert.ok(!h.tap.seen.some((e) => ['AccountCreated', 'ApiTokenIssued', 'ApiTokenRevoked'].includes(e.type)));
    const accountEvents = await h.db.selectFrom('events').select('position').where('stream_id', 'like', 'account-%').execute();
    assert.equal(accountEvents.length, 5, '2 AccountCreated, 2 ApiTokenIssued, 1 ApiTokenRevoked (the second revoke wrote nothing)');
    assert.deepEqual(await h.rows('outbox'), []);
  });

  test('rebuilding the projections from the log restores accounts and tokens exactly', async () => {
    const accounts = await h.rows('accounts');
    const tokens = await h.rows('api_tokens');
    await h.db.deleteFrom('api_tokens').execute();
    await h.db.deleteFrom('accounts').execute();
    await rebuildProjections(h.db);
    assert.deepEqual(await h.rows('accounts'), accounts);
    assert.deepEqual(await h.rows('api_tokens'), tokens);
  });
});
