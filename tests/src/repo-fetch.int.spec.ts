import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tar from 'tar';
import { fetchCommit, FetchError, type FetchRequest } from '@paas/api';
import { FileBlobStore } from '@paas/storage';
import { git, Scratch } from './git.js';
import { GitServer } from './git-server.js';

describe('fetching one commit of a linked repository (git over smart HTTP on loopback)', () => {
  let gs: GitServer;
  let blobs: FileBlobStore;
  let tmpRoot: string;
  let work: string;
  const scratch = new Scratch();
  const servers: Server[] = [];
  const commits: string[] = [];

  const request = (o: Partial<FetchRequest> & { url: string }): FetchRequest => {
    const u = new URL(o.url);
    return {
      repoUrl: o.url, branch: 'main', commit: null, key: `sources/test/${randomBytes(4).toString('hex')}.tar.gz`, timeoutMs: 30_000,
      maxBytes: 50 * 1024 * 1024, signal: new AbortController().signal,
      checked: { target: { host: u.hostname, port: Number(u.port) }, address: '127.0.0.1', resolve: null }, ...o,
    };
  };
  const files = async (key: string) => {
    const names: string[] = [];
    await tar.t({ file: join(blobs.localPath({ key, checksum: '', size: 0 })), onReadEntry: (e) => void names.push(e.path) });
    return names.sort();
  };
  const serve = async (handler: Parameters<typeof createServer>[1]) => {
    const s = createServer(handler);
    servers.push(s);
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    return (s.address() as AddressInfo).port;
  };
  const leftovers = async () => readdir(tmpRoot);

  before(async () => {
    gs = await GitServer.start();
    await gs.create('webapp');
    tmpRoot = scratch.keep(await mkdtemp(join(tmpdir(), 'paas-fetch-tmp-')));
    blobs = new FileBlobStore(scratch.keep(await mkdtemp(join(tmpdir(), 'paas-fetch-blobs-'))));
    work = await scratch.repo({ 'one.txt': '1' });
    for (const f of ['two.txt', 'three.txt']) {
      commits.push((await git(work, 'rev-parse', 'HEAD')).output.trim());
      await writeFile(join(work, f), f);
      await git(work, 'add', f);
      await git(work, 'commit', '-qm', f);
    }
    commits.push((await git(work, 'rev-parse', 'HEAD')).output.trim());
    assert.equal((await git(work, 'push', '-q', gs.path('webapp'), 'main')).code, 0);
  });

  after(async () => {
    for (const s of servers) {
      s.closeAllConnections();
      await new Promise((r) => s.close(r));
    }
    await gs?.stop();
    await scratch.remove();
  });

  test('the branch head, or exactly an older commit, is archived as the source tarball; nothing is left behind', async () => {
    const head = await fetchCommit(blobs, tmpRoot, request({ url: gs.url('webapp') }));
    assert.equal(head.commit, commits[2]);
    assert.deepEqual(await files(head.source.key), ['one.txt', 'three.txt', 'two.txt']);
    const older = await fetchCommit(blobs, tmpRoot, request({ url: gs.url('webapp'), commit: commits[0]! }));
    assert.equal(older.commit, commits[0]);
    assert.deepEqual(await files(older.source.key), ['one.txt']);
    await blobs.verify(older.source);
    assert.deepEqual(await leftovers(), []);
  });

  test('a host name is reached at the pinned address only (http.curloptResolve): an unresolvable name works when pinned', async () => {
    const url = `http://git.paas-test.invalid:${gs.port}/webapp.git`;
    await assert.rejects(fetchCommit(blobs, tmpRoot, request({ url })), (e: Error) => e instanceof FetchError && /could not fetch branch main/.test(e.message));
    const pinned = await fetchCommit(blobs, tmpRoot, request({ url, checked: { target: { host: 'git.paas-test.invalid', port: gs.port }, address: '127.0.0.1', resolve: `git.paas-test.invalid:${gs.port}:127.0.0.1` } }));
    assert.equal(pinned.commit, commits[2]);
  });

  test('a missing branch, a redirect, a pack over the size limit and a server that never answers fail with the reason, leaving nothing behind', async () => {
    await assert.rejects(fetchCommit(blobs, tmpRoot, request({ url: gs.url('webapp'), branch: 'nope' })), /could not fetch branch nope: .*couldn't find remote ref/);

    const redirecting = await serve((req, res) => res.writeHead(302, { location: `${gs.url('webapp')}${req.url!.replace('/elsewhere.git', '')}` }).end());
    const served = gs.requests.length;
    await assert.rejects(fetchCommit(blobs, tmpRoot, request({ url: `http://127.0.0.1:${redirecting}/elsewhere.git` })), FetchError);
    assert.equal(gs.requests.length, served, 'the redirect to the git server was not followed');

    await gs.create('big');
    const big = await scratch.repo({ 'noise.bin': randomBytes(3 * 1024 * 1024).toString('base64') });
    assert.equal((await git(big, 'push', '-q', gs.path('big'), 'main')).code, 0);
    await assert.rejects(fetchCommit(blobs, tmpRoot, request({ url: gs.url('big'), maxBytes: 1024 * 1024 })), /the repository sent more than 1 MB \(PAAS_REPO_MAX_MB\)/);

    const silent = await serve(() => undefined);
    const started = Date.now();
    await assert.rejects(fetchCommit(blobs, tmpRoot, request({ url: `http://127.0.0.1:${silent}/x.git`, timeoutMs: 1500 })), /fetching took longer than 2 s \(PAAS_REPO_FETCH_TIMEOUT_MS\)/);
    assert.ok(Date.now() - started < 15_000);
    assert.deepEqual(await leftovers(), []);
  });

  test('credentials in the URL reach the server as Basic auth and never appear in an error', async () => {
    const before = gs.authorizations.length;
    await fetchCommit(blobs, tmpRoot, request({ url: gs.url('webapp', 'deploy:tok%40en-secret') }));
    const sent = gs.authorizations.slice(before).map((a) => Buffer.from(a.replace('Basic ', ''), 'base64').toString());
    assert.ok(sent.length > 0 && sent.every((a) => a === 'deploy:tok@en-secret'), JSON.stringify(sent));
    await assert.rejects(fetchCommit(blobs, tmpRoot, request({ url: gs.url('webapp', 'deploy:tok%40en-secret'), branch: 'nope' })), (e: Error) => !e.message.includes('tok@en-secret') && !e.message.includes('tok%40en'));
  });
});
