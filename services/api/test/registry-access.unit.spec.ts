import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { grantAccess, parseScopes, repositoryTarget, requestedApps } from '../src/domain/registry-access.js';
import { libtrustKeyId, registryConfig, tokenClaims, TOKEN_TTL_S } from '../src/domain/registry-token.js';

const apps = (...names: string[]) => new Set(names);

describe('registry token scopes', () => {
  test('scopes are type:name:actions; names are split at the first and last colon, empty and malformed ones dropped', () => {
    assert.deepEqual(parseScopes(['repository:myapp/web:push,pull', 'registry:catalog:*', 'nonsense', 'repository:x:', 'repository:a/b:pull repository:c/d:push']), [
      { type: 'repository', name: 'myapp/web', actions: ['push', 'pull'] },
      { type: 'registry', name: 'catalog', actions: ['*'] },
      { type: 'repository', name: 'x', actions: [] },
      { type: 'repository', name: 'a/b', actions: ['pull'] },
      { type: 'repository', name: 'c/d', actions: ['push'] },
    ]);
  });

  test('a repository is <app>/<process-type>; anything else names no app', () => {
    assert.deepEqual(repositoryTarget('myapp/web'), { app: 'myapp', type: 'web' });
    assert.equal(repositoryTarget('myapp'), null);
    assert.equal(repositoryTarget('myapp/web/extra'), null);
    assert.equal(repositoryTarget('MyApp/web'), null);
    assert.equal(repositoryTarget('../web'), null);
    assert.deepEqual(requestedApps(parseScopes(['repository:one/web:push', 'repository:one/worker:pull', 'repository:two/web:pull', 'registry:catalog:*'])), ['one', 'two']);
  });

  test('a user gets push and pull on the apps they may deploy, nothing on others, and never more than asked', () => {
    const asked = parseScopes(['repository:mine/web:push,pull', 'repository:theirs/web:push,pull', 'repository:mine/worker:pull', 'repository:mine/web:delete']);
    assert.deepEqual(grantAccess(asked, { kind: 'user', admin: false, apps: apps('mine') }), [
      { type: 'repository', name: 'mine/web', actions: ['push', 'pull'] },
      { type: 'repository', name: 'mine/worker', actions: ['pull'] },
    ]);
  });

  test('the catalog is for the admin only; the dyno-manager pulls any app repository and pushes none', () => {
    const catalog = parseScopes(['registry:catalog:*']);
    assert.deepEqual(grantAccess(catalog, { kind: 'user', admin: true, apps: apps() }), [{ type: 'registry', name: 'catalog', actions: ['*'] }]);
    assert.deepEqual(grantAccess(catalog, { kind: 'user', admin: false, apps: apps('mine') }), []);
    const puller = grantAccess([...parseScopes(['repository:any-app/web:push,pull', 'repository:not/an/app:pull']), ...catalog], { kind: 'puller' });
    assert.deepEqual(puller, [{ type: 'repository', name: 'any-app/web', actions: ['pull'] }]);
  });
});

describe('registry tokens', () => {
  test('the claims name issuer, audience (the service), subject, a short lifetime and the granted access', () => {
    const c = tokenClaims({ issuer: 'paas-api', service: 'paas-registry' }, 'dev@example.com', [{ type: 'repository', name: 'a/web', actions: ['pull'] }], 1_000_000, 'jti-1');
    assert.deepEqual(c, {
      iss: 'paas-api', sub: 'dev@example.com', aud: 'paas-registry', nbf: 1_000_000 - 30, iat: 1_000_000, exp: 1_000_000 + TOKEN_TTL_S, jti: 'jti-1',
      access: [{ type: 'repository', name: 'a/web', actions: ['pull'] }],
    });
  });

  test('the kid is libtrust\'s key id: base32 of the first 30 bytes of sha256(SPKI DER), 12 groups of 4', () => {
    const spki = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'der' });
    const kid = libtrustKeyId(spki);
    assert.match(kid, /^([A-Z2-7]{4}:){11}[A-Z2-7]{4}$/);
    // The first 5 bytes are 8 base32 characters, the first two groups.
    const head = createHash('sha256').update(spki).digest().subarray(0, 5);
    const bits = [...head].map((b) => b.toString(2).padStart(8, '0')).join('');
    const chars = bits.match(/.{5}/g)!.map((b) => 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'[parseInt(b, 2)]).join('');
    assert.equal(kid.slice(0, 9), `${chars.slice(0, 4)}:${chars.slice(4, 8)}`);
    assert.equal(libtrustKeyId(spki), kid);
  });

  test('the registry config listens on loopback only, keeps data in the data dir and sends clients to the api for tokens', () => {
    const c = registryConfig({ dataDir: '/d/registry/data', port: 5003, realm: 'http://127.0.0.1:5000/registry/token', party: { issuer: 'i', service: 's' }, certPath: '/d/cert.pem', instanceId: 'abc' });
    assert.equal(c.http.addr, '127.0.0.1:5003');
    assert.equal(c.storage.filesystem.rootdirectory, '/d/registry/data');
    assert.deepEqual(c.auth.token, { realm: 'http://127.0.0.1:5000/registry/token', service: 's', issuer: 'i', rootcertbundle: '/d/cert.pem' });
    assert.deepEqual(c.http.headers['X-Paas-Registry'], ['abc']);
  });
});
