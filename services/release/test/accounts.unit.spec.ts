import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { PaasError } from '@paas/contracts';
import { hashPassword, hashToken, newApiToken, verifyPassword } from '../src/adapters/passwords.js';
import { decideAccount, evolveAccount, initialAccount, type AccountCommand, type AccountState } from '../src/domain/account.js';

const typed = (id: string, message?: RegExp) => (e: PaasError) => e.id === id && (!message || message.test(e.message));
const ACCOUNT = '00000000-0000-4000-8000-00000000000a';
const TOKEN = '00000000-0000-4000-8000-00000000000b';
const HASH = 'a'.repeat(64);

const create = (email = 'Dev@Example.com'): AccountCommand => ({ type: 'CreateAccount', email, passwordHash: 'scrypt$1$1$1$c2FsdA==$aGFzaA==' });
const issue = (tokenId = TOKEN): AccountCommand => ({ type: 'IssueToken', tokenId, tokenHash: HASH, description: 'ci', expiresAt: null });
const revoke = (tokenId = TOKEN): AccountCommand => ({ type: 'RevokeToken', tokenId });

function given(...commands: AccountCommand[]): AccountState {
  let state = initialAccount(ACCOUNT);
  for (const c of commands) state = decideAccount(c, state).reduce(evolveAccount, state);
  return state;
}

describe('account aggregate', () => {
  test('given no account, when it is created, then AccountCreated with the email lowercased', () => {
    assert.deepEqual(decideAccount(create(), initialAccount(ACCOUNT)), [
      { type: 'AccountCreated', data: { email: 'dev@example.com', passwordHash: 'scrypt$1$1$1$c2FsdA==$aGFzaA==' } },
    ]);
  });

  test('given an account, when it is created again, then it is a conflict', () => {
    assert.throws(() => decideAccount(create(), given(create())), typed('conflict'));
  });

  test('given an account, when a token is issued, then ApiTokenIssued with its hash only', () => {
    assert.deepEqual(decideAccount(issue(), given(create())), [
      { type: 'ApiTokenIssued', data: { tokenId: TOKEN, tokenHash: HASH, description: 'ci', expiresAt: null } },
    ]);
  });

  test('given no account, when a token is issued or revoked, then it is not_found', () => {
    assert.throws(() => decideAccount(issue(), initialAccount(ACCOUNT)), typed('not_found', /account/));
    assert.throws(() => decideAccount(revoke(), initialAccount(ACCOUNT)), typed('not_found', /account/));
  });

  test('given a token, when it is revoked, then ApiTokenRevoked; when revoked again, then nothing (a no-op)', () => {
    assert.deepEqual(decideAccount(revoke(), given(create(), issue())), [{ type: 'ApiTokenRevoked', data: { tokenId: TOKEN } }]);
    const revoked = given(create(), issue(), revoke());
    assert.deepEqual(revoked.tokens, { [TOKEN]: { revoked: true } });
    assert.deepEqual(decideAccount(revoke(), revoked), []);
  });

  test('given an account, when a token it never had is revoked, then it is not_found', () => {
    assert.throws(() => decideAccount(revoke('00000000-0000-4000-8000-0000000000ff'), given(create(), issue())),
      typed('not_found', /^Couldn't find that token\.$/));
  });
});

describe('password and token hashing', () => {
  test('a hashed password verifies; a wrong one does not; each hash has its own salt', async () => {
    const stored = await hashPassword('correct horse');
    assert.match(stored, /^scrypt\$32768\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    assert.equal(Buffer.from(stored.split('$')[5]!, 'base64').length, 64);
    assert.equal(await verifyPassword('correct horse', stored), true);
    assert.equal(await verifyPassword('correct horsf', stored), false);
    assert.notEqual(await hashPassword('correct horse'), stored);
  });

  test('a malformed stored hash never verifies', async () => {
    assert.equal(await verifyPassword('x', 'plain'), false);
    assert.equal(await verifyPassword('x', 'scrypt$0$8$1$c2FsdA==$aGFzaA=='), false);
  });

  test('tokens are paas_ + 32 random bytes base64url, hashed as hex sha256', () => {
    const token = newApiToken();
    assert.match(token, /^paas_[A-Za-z0-9_-]{43}$/);
    assert.notEqual(newApiToken(), token);
    assert.equal(hashToken('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});
