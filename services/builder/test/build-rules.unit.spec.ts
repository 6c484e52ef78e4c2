import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { escapeOf } from '../src/domain/archive-paths.js';
import { buildEnv } from '../src/domain/build-env.js';
import { derivedId } from '../src/domain/ids.js';
import { checkSlugSize, formatSize } from '../src/domain/output.js';

describe('build rules', () => {
  test('entries inside the app dir pass; escaping paths and links are refused', () => {
    assert.equal(escapeOf('./src/app.js', 'File', undefined), undefined);
    assert.equal(escapeOf('node_modules/.bin/x', 'SymbolicLink', '../x/bin/x.js'), undefined);
    assert.match(escapeOf('../evil', 'File', undefined)!, /outside the app directory/);
    assert.match(escapeOf('/etc/cron.d/x', 'File', undefined)!, /outside/);
    assert.match(escapeOf('a/../../b', 'File', undefined)!, /outside/);
    assert.match(escapeOf('link', 'SymbolicLink', '../../etc/passwd')!, /points outside/);
    assert.match(escapeOf('link', 'SymbolicLink', '/etc/passwd')!, /absolute path/);
    assert.match(escapeOf('hard', 'Link', '../x')!, /points outside/);
  });

  test('the build env keeps the builder tools and mirrors, drops its secrets, and lets config vars override', () => {
    const env = buildEnv(
      {
        PATH: '/usr/bin', HOME: '/root', DATABASE_URL: 'postgres://secret', PAAS_API_KEY: 'k', PIP_FIND_LINKS: '/opt/wheels',
        // What npm puts into the environment of a builder it started: only where packages come from passes.
        npm_config_registry: 'http://npm-mirror/', npm_config_userconfig: '/root/.npmrc', npm_config_nodedir: '/usr', npm_config_local_prefix: '/work',
      },
      { PIP_NO_INPUT: '1' },
      { PIP_FIND_LINKS: '/app/wheels', PIP_INDEX_URL: 'http://mirror/simple', LD_PRELOAD: '/x.so', GREETING: 'hi' },
    );
    assert.deepEqual(env, {
      PATH: '/usr/bin', HOME: '/root', npm_config_registry: 'http://npm-mirror/', PIP_FIND_LINKS: '/app/wheels', PIP_NO_INPUT: '1', PIP_INDEX_URL: 'http://mirror/simple', GREETING: 'hi',
    });
  });

  test('derived ids are stable uuids that differ by input', () => {
    const a = derivedId('8c0f1a2e-0000-4000-8000-000000000000', 'BuildStarted');
    assert.equal(a, derivedId('8c0f1a2e-0000-4000-8000-000000000000', 'BuildStarted'));
    assert.notEqual(a, derivedId('8c0f1a2e-0000-4000-8000-000000000001', 'BuildStarted'));
    assert.match(a, /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  test('sizes print like Heroku and the slug limits hold at 300M (warning) and 500M (failure)', () => {
    assert.equal(formatSize(512), '512B');
    assert.equal(formatSize(1229), '1.2K');
    assert.equal(formatSize(34.5 * 1024 * 1024), '34.5M');
    assert.equal(checkSlugSize(10 * 1024 * 1024), undefined);
    assert.match(checkSlugSize(301 * 1024 * 1024)!, /exceeds our soft limit \(300M\)/);
    assert.throws(() => checkSlugSize(501 * 1024 * 1024), /501\.0M is too large \(max is 500M, PAAS_MAX_SLUG_MB\)/);
  });
});
