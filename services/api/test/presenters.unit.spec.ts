import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseQuantity, presentApp, presentDomain, presentRelease, webUrl, gitUrl, type Site } from '../src/domain/presenters.js';
import { presentedKey, sameSecret } from '../src/api-key.js';

const site: Site = { adminEmail: 'admin@paas.local', domain: 'localhost', routerPort: 8080, apiUrl: 'http://127.0.0.1:5000' };
const app = {
  id: '0f4e4a53-8e0b-4c39-9f4e-2d2f0c0b6a11', name: 'myapp', stack: 'heroku-24', region: 'us', owner: 'admin@paas.local',
  createdAt: '2026-11-24T20:00:00.000Z', updatedAt: '2026-11-24T20:01:00.000Z', releaseVersion: 2, slugSize: 1234, maintenance: false,
};

describe('Platform API shapes', () => {
  test('an app carries the fields Heroku clients read', () => {
    const a = presentApp(site, app);
    assert.equal(a.web_url, 'http://myapp.localhost:8080/');
    assert.equal(a.git_url, 'http://127.0.0.1:5000/myapp.git');
    assert.equal(a.owner.email, 'admin@paas.local');
    assert.equal(a.region.name, 'us');
    assert.equal(a.stack.name, 'heroku-24');
    assert.equal(a.build_stack.name, 'heroku-24');
    assert.equal(a.slug_size, 1234);
  });

  test('web_url leaves out port 80', () => {
    assert.equal(webUrl({ domain: 'example.com', routerPort: 80 }, 'myapp'), 'http://myapp.example.com/');
    assert.equal(gitUrl({ ...site, apiUrl: 'https://git.example.com/' }, 'myapp'), 'https://git.example.com/myapp.git');
  });

  test('a release shows its user, status and slug id but not its config', () => {
    const r = presentRelease(site, {
      id: '9d1c2b3a-8e0b-4c39-9f4e-2d2f0c0b6a11', appId: app.id, appName: 'myapp', version: 3, description: 'Set GREETING config vars',
      by: 'admin@paas.local', createdAt: app.createdAt, slug: null, config: { SECRET: 'x' }, current: true, buildId: null, status: 'succeeded',
    });
    assert.equal(r.version, 3);
    assert.equal(r.status, 'succeeded');
    assert.equal(r.user.email, 'admin@paas.local');
    assert.equal(r.current, true);
    assert.ok(!JSON.stringify(r).includes('SECRET'));
  });

  test('a release whose release command failed shows status failed and is not eligible for rollback', () => {
    const r = presentRelease(site, {
      id: '9d1c2b3a-8e0b-4c39-9f4e-2d2f0c0b6a12', appId: app.id, appName: 'myapp', version: 4, description: 'Deploy abc1234',
      by: 'admin@paas.local', createdAt: app.createdAt, slug: { id: '9d1c2b3a-8e0b-4c39-9f4e-2d2f0c0b6a13', blob: { key: 'k', checksum: 'sha256:x', size: 1 }, processTypes: { release: 'exit 3' }, commit: null, buildpack: 'nodejs', stack: 'heroku-24' },
      config: {}, current: false, buildId: null, status: 'failed',
    });
    assert.deepEqual([r.status, r.current, r.eligible_for_rollback], ['failed', false, false]);
  });

  test('the default domain is kind heroku without DNS target; a custom one points to the default hostname', () => {
    const dflt = presentDomain(site, app);
    assert.deepEqual([dflt.hostname, dflt.kind, dflt.cname, dflt.status], ['myapp.localhost', 'heroku', null, 'none']);
    const custom = presentDomain(site, app, { hostname: 'www.example.com', kind: 'custom', createdAt: '2026-11-24T21:00:00.000Z' });
    assert.deepEqual([custom.hostname, custom.kind, custom.cname, custom.status], ['www.example.com', 'custom', 'myapp.localhost', 'none']);
    assert.equal(custom.created_at, '2026-11-24T21:00:00.000Z');
    assert.notEqual(custom.id, dflt.id);
    assert.equal(custom.id, presentDomain(site, app, { hostname: 'www.example.com', kind: 'custom', createdAt: 'later' }).id, 'ids are stable');
  });
});

describe('formation quantities', () => {
  test('numbers and numeric strings are accepted', () => {
    assert.equal(parseQuantity(2), 2);
    assert.equal(parseQuantity('3'), 3);
    assert.equal(parseQuantity(undefined), undefined);
  });
  test('anything else is a clear error', () => {
    for (const bad of ['two', -1, 1.5, '']) assert.throws(() => parseQuantity(bad), /quantity must be a whole number/);
  });
});

describe('API keys', () => {
  test('taken from Bearer or as the Basic auth password', () => {
    assert.equal(presentedKey('Bearer abc'), 'abc');
    assert.equal(presentedKey(`Basic ${Buffer.from('git:abc').toString('base64')}`), 'abc');
    assert.equal(presentedKey(`Basic ${Buffer.from('abc').toString('base64')}`), 'abc');
    assert.equal(presentedKey(undefined), undefined);
    assert.equal(presentedKey('Digest x'), undefined);
  });
  test('compared whole', () => {
    assert.equal(sameSecret('abc', 'abc'), true);
    assert.equal(sameSecret('abc', 'abcd'), false);
    assert.equal(sameSecret('abd', 'abc'), false);
  });
});
