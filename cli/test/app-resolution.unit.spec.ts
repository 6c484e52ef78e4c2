import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { appFromGitUrl, parseRemotes, resolveApp } from '../src/app-resolution.js';
import { CliError, EXIT_USAGE } from '../src/errors.js';

const REMOTE_V = [
  'origin\tgit@example.com:me/site.git (fetch)',
  'origin\tgit@example.com:me/site.git (push)',
  'paas\thttp://127.0.0.1:5000/myapp.git (fetch)',
  'paas\thttp://127.0.0.1:5000/myapp.git (push)',
  'staging\thttps://paas.example.com:5443/myapp-staging.git (fetch)',
  'staging\thttps://paas.example.com:5443/myapp-staging.git (push)',
  '',
].join('\n');

function usage(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (err: unknown) => err instanceof CliError && err.exitCode === EXIT_USAGE && pattern.test(err.message));
}

describe('app resolution: -a, else the paas git remote', () => {
  test('given `git remote -v` output, when parsed, then each remote maps to its fetch URL', () => {
    const remotes = parseRemotes(REMOTE_V);
    assert.deepEqual([...remotes.keys()], ['origin', 'paas', 'staging']);
    assert.equal(remotes.get('paas'), 'http://127.0.0.1:5000/myapp.git');
  });

  test('given Platform API git URLs, the app is the path\'s name; other URLs name no app', () => {
    assert.equal(appFromGitUrl('http://127.0.0.1:5000/myapp.git'), 'myapp');
    assert.equal(appFromGitUrl('https://git:secret@paas.example.com:5443/my-app-2.git'), 'my-app-2');
    assert.equal(appFromGitUrl('git@example.com:me/site.git'), undefined);
    assert.equal(appFromGitUrl('https://example.com/me/site.git'), undefined);
  });

  test('-a wins over the remote', () => {
    assert.equal(resolveApp({ flag: 'other', remotes: parseRemotes(REMOTE_V) }), 'other');
  });

  test('without -a, the app of the paas remote; -r picks another remote', () => {
    assert.equal(resolveApp({ remotes: parseRemotes(REMOTE_V) }), 'myapp');
    assert.equal(resolveApp({ remote: 'staging', remotes: parseRemotes(REMOTE_V) }), 'myapp-staging');
  });

  test('outside a git repository, a usage error that says how to pass -a', () => {
    usage(() => resolveApp({}), /not inside a git repository.*pass -a APP/);
  });

  test('in a repository without a paas remote, a usage error naming -a and git:remote', () => {
    usage(() => resolveApp({ remotes: parseRemotes('origin\tgit@example.com:me/site.git (fetch)\n') }), /no `paas` remote: pass -a APP.*paas git:remote -a APP/);
  });

  test('a named remote that is missing, or names no app, is a usage error', () => {
    usage(() => resolveApp({ remote: 'prod', remotes: parseRemotes(REMOTE_V) }), /no remote named prod/);
    usage(() => resolveApp({ remote: 'origin', remotes: parseRemotes(REMOTE_V) }), /does not name an app: pass -a APP/);
    usage(() => resolveApp({ flag: '  ' }), /needs an app name/);
  });
});
