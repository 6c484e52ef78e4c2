import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { waitFor } from '@paas/testing';
import { git, nodeApp, pushUrl, repoWith } from './git.js';
import { Platform } from './platform.js';

const APP = 'phase-app';

/** The sample Node app answering `<says> from <dyno>`, with a Procfile that may declare a release command. */
const appFiles = (says: string, release?: string) => ({
  ...nodeApp,
  'server.js': `require('http').createServer((q, s) => s.end(${JSON.stringify(says)} + ' from ' + process.env.DYNO)).listen(process.env.PORT);\n`,
  Procfile: `web: node server.js\n${release ? `release: ${release}\n` : ''}`,
});

describe('release phase through git push: a failing release command keeps the previous release serving', () => {
  let p: Platform;
  let dir: string;

  /** Commits the files over the repository's and pushes; returns the push's exit status and output. */
  const push = async (files: Record<string, string>) => {
    for (const [name, content] of Object.entries(files)) await writeFile(join(dir, name), content);
    await git(dir, 'add', '-A');
    await git(dir, 'commit', '--quiet', '-m', 'change');
    return git(dir, 'push', pushUrl(p.apiUrl, p.apiKey, APP), 'main');
  };
  const releases = async () => (await p.api('GET', `/apps/${APP}/releases`)).body
    .map((r: { version: number; status: string; current: boolean }) => [r.version, r.status, r.current]);

  before(async () => {
    p = await Platform.start();
    assert.equal((await p.api('POST', '/apps', { name: APP })).status, 201);
    dir = await repoWith(appFiles('v2 says hi'));
    const first = await git(dir, 'push', pushUrl(p.apiUrl, p.apiKey, APP), 'main');
    assert.equal(first.code, 0, first.output);
    await waitFor('v2 to answer through the router', async () => (await p.viaRouter(APP)).body === 'v2 says hi from web.1', { timeoutMs: 60_000 });
  });

  after(async () => {
    await p?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('a push whose release command exits 3: the release is failed, v2 stays current and keeps serving', async () => {
    const pushed = await push(appFiles('v3 should never serve', 'echo "migrating for v3"; exit 3'));
    assert.equal(pushed.code, 0, pushed.output);
    assert.match(pushed.output, /remote:\s+!\s+Release command declared: this new release will not be available until the command succeeds\./);
    assert.match(pushed.output, /remote:\s+Released v3/);
    assert.match(pushed.output, /remote: Running release command\.\.\./);
    assert.match(pushed.output, /remote: migrating for v3/);
    assert.match(pushed.output, /remote: Waiting for release\.\.\.\. failed\./);
    assert.match(pushed.output, /Release command failed \(exit status 3\): v3 was not deployed/);
    assert.doesNotMatch(pushed.output, /Verifying deploy/);

    assert.deepEqual(await releases(), [[1, 'succeeded', false], [2, 'succeeded', true], [3, 'failed', false]]);
    assert.equal((await p.viaRouter(APP)).body, 'v2 says hi from web.1');
    const dynos = (await p.api('GET', `/apps/${APP}/dynos`)).body as { type: string; state: string; release: { version: number } }[];
    assert.deepEqual(dynos.filter((d) => d.type === 'web').map((d) => [d.state, d.release.version]), [['up', 2]]);
  });

  test('a rollback to the failed release is refused with 422 and makes no release', async () => {
    const r = await p.api('POST', `/apps/${APP}/releases`, { release: 'v3' });
    assert.equal(r.status, 422, JSON.stringify(r.body));
    assert.match(r.body.message, /Cannot roll back to v3: its release command failed/);
    assert.equal((await releases()).length, 3);
  });

  test('a push whose release command succeeds deploys: its dynos serve after the phase', async () => {
    const pushed = await push(appFiles('v4 says hi', 'echo migrated'));
    assert.equal(pushed.code, 0, pushed.output);
    assert.match(pushed.output, /remote: migrated/);
    assert.match(pushed.output, /remote: Waiting for release\.\.\.\. done\./);
    assert.match(pushed.output, /remote: Verifying deploy\.\.\. done\./);
    assert.deepEqual((await releases()).slice(-2), [[3, 'failed', false], [4, 'succeeded', true]]);
    await waitFor('v4 to answer through the router', async () => (await p.viaRouter(APP)).body === 'v4 says hi from web.1', { timeoutMs: 30_000 });
  });
});
