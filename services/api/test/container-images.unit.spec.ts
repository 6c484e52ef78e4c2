import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { imageCommand, imageLookup, shellWord } from '../src/domain/container-images.js';

const HOST = '127.0.0.1:5003';
const ID = `sha256:${'a'.repeat(64)}`;

describe('container:release image lookups', () => {
  test('an image id (what the Heroku CLI sends) is looked up as <app>/<type>:latest and must match', () => {
    assert.deepEqual(imageLookup(ID, HOST, 'myapp', 'web'), { repository: 'myapp/web', reference: 'latest', expect: ID });
  });

  test('a full reference into the app\'s repository by tag or digest is accepted; other repositories and registries are not', () => {
    assert.deepEqual(imageLookup(`${HOST}/myapp/web`, HOST, 'myapp', 'web'), { repository: 'myapp/web', reference: 'latest' });
    assert.deepEqual(imageLookup(`${HOST}/myapp/web:v2`, HOST, 'myapp', 'web'), { repository: 'myapp/web', reference: 'v2' });
    assert.deepEqual(imageLookup(`${HOST}/myapp/web@${ID}`, HOST, 'myapp', 'web'), { repository: 'myapp/web', reference: ID, expect: ID });
    assert.match(imageLookup(`${HOST}/other/web`, HOST, 'myapp', 'web') as string, /not in this app's repository: push web to 127\.0\.0\.1:5003\/myapp\/web/);
    assert.match(imageLookup('docker.io/library/nginx:latest', HOST, 'myapp', 'web') as string, /not in this app's repository/);
    assert.match(imageLookup(`${HOST}/myapp/web@sha256:short`, HOST, 'myapp', 'web') as string, /malformed digest/);
    assert.match(imageLookup('nginx', HOST, 'myapp', 'web') as string, /neither an image id/);
  });
});

describe('the command an image runs', () => {
  test('ENTRYPOINT then CMD, each word quoted only when the shell would change it', () => {
    assert.equal(imageCommand({ Cmd: ['node', '/srv/server.js'] }), 'node /srv/server.js');
    assert.equal(imageCommand({ Entrypoint: ['/bin/sh', '-c'], Cmd: ['echo "$PORT" && exec node s.js'] }), `/bin/sh -c 'echo "$PORT" && exec node s.js'`);
    assert.equal(imageCommand({ Entrypoint: null, Cmd: null }), undefined);
    assert.equal(shellWord("it's"), `'it'\\''s'`);
  });
});
