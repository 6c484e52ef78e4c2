import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { HerokuCli, type CliResult } from './heroku-cli.js';
import { Platform } from './platform.js';

function ok(r: CliResult, ...expected: RegExp[]): string {
  assert.equal(r.code, 0, r.out);
  for (const e of expected) assert.match(r.out, e);
  return r.out;
}

function fails(r: CliResult, expected: RegExp): void {
  assert.notEqual(r.code, 0, r.out);
  assert.match(r.out, expected);
}

describe('accounts: users log in with the real heroku CLI and see only their own apps', () => {
  let p: Platform;
  let alice: HerokuCli;
  let bob: HerokuCli;
  let bobToken: string;

  /** A new API token for an account, as `heroku login` gets one (Basic email:password). */
  const tokenFor = async (email: string, password: string) => {
    const r = await fetch(`${p.apiUrl}/oauth/authorizations`, {
      method: 'POST', headers: { authorization: `Basic ${Buffer.from(`${email}:${password}`).toString('base64')}`, 'content-type': 'application/json' }, body: '{"description":"test"}',
    });
    return { status: r.status, body: await r.json() as { access_token: { token: string }; id: string; message?: string } };
  };

  before(async () => {
    p = await Platform.start();
    assert.equal((await p.api('POST', '/accounts', { email: 'Alice@Example.com', password: 'alice-password' })).status, 201);
    assert.equal((await p.api('POST', '/accounts', { email: 'bob@example.com', password: 'bob-password' })).status, 201);
    alice = await HerokuCli.create(p.apiUrl, p.apiKey, { HEROKU_API_KEY: '' });
    const issued = await tokenFor('bob@example.com', 'bob-password');
    assert.equal(issued.status, 201);
    bobToken = issued.body.access_token.token;
    bob = await HerokuCli.create(p.apiUrl, bobToken);
  });

  after(async () => {
    await p?.stop();
    await Promise.all([alice?.home, bob?.home].filter(Boolean).map((d) => rm(d!, { recursive: true, force: true })));
  });

  test('accounts: a taken email is a conflict, only the admin creates accounts, bad passwords get no token', async () => {
    const dup = await p.api('POST', '/accounts', { email: 'alice@example.com', password: 'another-password' });
    assert.equal(dup.status, 409);
    assert.equal((await p.api('POST', '/accounts', { email: 'eve@example.com', password: 'eve-password' }, bobToken)).status, 403);
    const wrong = await tokenFor('bob@example.com', 'not-the-password');
    assert.equal(wrong.status, 401);
    assert.equal(wrong.body.message, 'Invalid credentials provided.');
    assert.equal((await tokenFor('nobody@example.com', 'whatever-password')).status, 401);
  });

  test('heroku login -i, auth:whoami, and apps owned by the user who made them', async () => {
    ok(await alice.interact(['login', '-i'], [{ after: /Email/, type: 'alice@example.com\n' }, { after: /Password/, type: 'alice-password\n' }]), /Logged in as alice@example\.com/);
    ok(await alice.run(['auth:whoami']), /alice@example\.com/);
    ok(await alice.run(['apps:create', 'alice-app']), /Creating alice-app\.\.\. done/);
    ok(await alice.run(['apps:info', '-a', 'alice-app']), /Owner:\s+alice@example\.com/);
    ok(await alice.run(['config:set', 'GREETING=hi', '-a', 'alice-app']), /v2/);
    ok(await alice.run(['releases', '-a', 'alice-app']), /v2\s+Set GREETING config vars\s+alice@example\.com/);
  });

  test('another user gets 404 for the app until added as a collaborator', async () => {
    ok(await bob.run(['auth:whoami']), /bob@example\.com/);
    fails(await bob.run(['apps:info', '-a', 'alice-app']), /Couldn't find that app/);
    fails(await bob.run(['config', '-a', 'alice-app']), /Couldn't find that app/);
    assert.doesNotMatch(ok(await bob.run(['apps'])), /alice-app/);
    ok(await alice.run(['access:add', 'bob@example.com', '-a', 'alice-app']), /done/);
    ok(await alice.run(['access', '-a', 'alice-app']), /alice@example\.com\s+owner/, /bob@example\.com\s+collaborator/);
    ok(await bob.run(['apps:info', '-a', 'alice-app']), /Owner:\s+alice@example\.com/);
    ok(await alice.run(['access:remove', 'bob@example.com', '-a', 'alice-app']), /done/);
    fails(await bob.run(['apps:info', '-a', 'alice-app']), /Couldn't find that app/);
  });

  test('heroku logout revokes the token: it then gets 401 Invalid credentials provided', async () => {
    const netrc = (await import('node:fs/promises')).readFile(`${alice.home}/.netrc`, 'utf8');
    const token = /password (\S+)/.exec(await netrc)![1];
    assert.equal((await p.api('GET', '/account', undefined, token)).body.email, 'alice@example.com');
    ok(await alice.run(['logout']), /Logging out/);
    const after = await p.api('GET', '/account', undefined, token);
    assert.equal(after.status, 401);
    assert.equal(after.body.message, 'Invalid credentials provided.');
  });
});
