import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as tar from 'tar';
import { removeDockerDynos } from '@paas/dyno-manager';
import { waitFor } from '@paas/testing';
import { git, pushUrl, repoWith } from './git.js';
import { Platform } from './platform.js';

const run = promisify(execFile);
const docker = (...args: string[]) => run('docker', args, { maxBuffer: 16 * 1024 * 1024 });

/** Whether a Docker engine answers here; the reason when it does not. */
async function engine(): Promise<string | undefined> {
  try {
    await docker('version', '--format', '{{.Server.Version}}');
    return undefined;
  } catch (err) {
    return `no Docker engine answers (${(err as Error).message.split('\n')[0]})`;
  }
}

const noEngine = await engine();
if (noEngine) console.log(`# skipping heroku.yml Docker builds: ${noEngine}`);

describe('heroku.yml Docker builds through the local engine', { skip: noEngine }, () => {
  let p: Platform;
  const base = `paas-e2e/base:${Math.random().toString(36).slice(2, 10)}`;
  const scratch: string[] = [];

  before(async () => {
    // A base image made here (no registry is reachable): a rootfs of one file, imported.
    const root = await mkdtemp(join(tmpdir(), 'paas-rootfs-'));
    scratch.push(root);
    await mkdir(join(root, 'fs', 'etc'), { recursive: true });
    await writeFile(join(root, 'fs', 'etc', 'made-by'), 'paas e2e\n');
    await tar.c({ cwd: join(root, 'fs'), file: join(root, 'rootfs.tar'), portable: true }, ['etc']);
    await docker('import', join(root, 'rootfs.tar'), base);
    p = await Platform.start();
  });

  after(async () => {
    await p?.stop();
    const { stdout } = await docker('image', 'ls', '--filter', 'label=paas.app=docker-app', '--format', '{{.Repository}}:{{.Tag}}').catch(() => ({ stdout: '' }));
    for (const image of [...stdout.split('\n').filter(Boolean), base]) await docker('image', 'rm', '--force', image).catch(() => undefined);
    await Promise.all(scratch.map((d) => rm(d, { recursive: true, force: true })));
  });

  test('build.docker + run: the image is built from the pushed tree, its output streamed, tagged per app and build, recorded in the release', async () => {
    assert.equal((await p.api('POST', '/apps', { name: 'docker-app' })).status, 201);
    const dir = await repoWith({
      'heroku.yml': 'build:\n  docker:\n    worker: Dockerfile\nrun:\n  worker: /app/bin/work --forever\n',
      Dockerfile: `FROM ${base}\nCOPY . /app\nLABEL made=paas-e2e\nCMD ["/app/bin/work"]\n`,
      'bin/work': '#!/bin/sh\nsleep 1000\n',
      Procfile: 'worker: ignored because heroku.yml wins\n',
    });
    scratch.push(dir);
    const push = await git(dir, 'push', pushUrl(p.apiUrl, p.apiKey, 'docker-app'), 'main');
    assert.equal(push.code, 0, push.output);
    assert.match(push.output, /remote: -----> Docker \(heroku\.yml\) app detected/);
    assert.match(push.output, /remote: {8}Procfile ignored: heroku\.yml defines the process types/);
    assert.match(push.output, new RegExp(`remote: {8}Step 1/\\d+ : FROM ${base.replace(/[.:/]/g, '\\$&')}`));
    assert.match(push.output, /remote: {8}Successfully tagged paas-app\/docker-app:[0-9a-f-]{36}-worker/);
    assert.match(push.output, /remote: {8}heroku\.yml declares types -> worker/);
    assert.match(push.output, /Released v2/);

    const release = (await p.api('GET', '/apps/docker-app/releases/2')).body;
    const build = (await p.api('GET', '/apps/docker-app/builds')).body[0];
    const tag = `paas-app/docker-app:${build.id}-worker`;
    const { stdout } = await docker('image', 'inspect', tag, '--format', '{{.Id}} {{index .Config.Labels "paas.app"}} {{index .Config.Labels "made"}}');
    const [id, app, made] = stdout.trim().split(' ');
    assert.deepEqual([app, made], ['docker-app', 'paas-e2e']);
    const formation = (await p.api('GET', '/apps/docker-app/formation')).body as { type: string; command: string }[];
    assert.deepEqual(formation.map((f) => [f.type, f.command]), [['worker', '/app/bin/work --forever']]);
    assert.equal(build.status, 'succeeded');
    assert.equal(build.buildpacks[0].name, 'docker');
    assert.equal(release.slug?.id, build.slug.id);
    // SlugBuilt (as the builder recorded it) carries the image in place of a slug to unpack.
    const slugBuilt = JSON.parse(await readFile(join(p.dataDir, 'builds', `${build.id}.json`), 'utf8'));
    assert.equal(slugBuilt.type, 'SlugBuilt');
    assert.deepEqual(slugBuilt.data.slug.images, { worker: { id, tag } });
  });

  test('destroying the app removes its images', async () => {
    assert.equal((await p.api('DELETE', '/apps/docker-app')).status, 200);
    await waitFor('the app\'s images to be removed', async () => {
      const { stdout } = await docker('image', 'ls', '--filter', 'label=paas.app=docker-app', '--format', '{{.ID}}');
      return stdout.trim() === '';
    }, { timeoutMs: 30_000 });
  });

  test('a FROM image that is not on this machine fails the push saying so, before any build step', async () => {
    assert.equal((await p.api('POST', '/apps', { name: 'docker-nobase' })).status, 201);
    const dir = await repoWith({ 'heroku.yml': 'build:\n  docker:\n    web: Dockerfile\n', Dockerfile: 'FROM paas-e2e/absent:1\nCMD ["x"]\n' });
    scratch.push(dir);
    const push = await git(dir, 'push', pushUrl(p.apiUrl, p.apiKey, 'docker-nobase'), 'main');
    assert.notEqual(push.code, 0);
    assert.match(push.output, /The base image "paas-e2e\/absent:1" \(FROM in Dockerfile\) is not on this machine, and no image registry is reachable from here/);
    assert.doesNotMatch(push.output, /Step 1\//);
  });
});

const STACK = process.env.PAAS_STACK_IMAGE || 'paas/stack:bookworm';
const noStack = noEngine ?? await docker('image', 'inspect', STACK).then(() => undefined, () => `the stack image ${STACK} is not built (.ci/run builds it)`);
if (noStack && !noEngine) console.log(`# skipping heroku.yml apps served by the docker runtime: ${noStack}`);

describe('a heroku.yml web app served from its image by the docker runtime', { skip: noStack }, () => {
  let p: Platform;
  const scratch: string[] = [];

  before(async () => {
    p = await Platform.start({ PAAS_RUNTIME: 'docker', PAAS_DYNO_STOP_GRACE_MS: '3000' });
  });

  after(async () => {
    const namespace = p?.namespace;
    await p?.stop();
    if (namespace) await removeDockerDynos(namespace);
    const { stdout } = await docker('image', 'ls', '--filter', 'label=paas.app=docker-web', '--format', '{{.ID}}').catch(() => ({ stdout: '' }));
    for (const id of new Set(stdout.split('\n').filter(Boolean))) await docker('image', 'rm', '--force', id).catch(() => undefined);
    await Promise.all(scratch.map((d) => rm(d, { recursive: true, force: true })));
  });

  test('git push builds the image; the web dyno runs it (run.web) and answers through the router', async () => {
    assert.equal((await p.api('POST', '/apps', { name: 'docker-web' })).status, 201);
    const dir = await repoWith({
      'heroku.yml': 'build:\n  docker:\n    web: Dockerfile\nrun:\n  web: node /srv/server.js\n',
      Dockerfile: `FROM ${STACK}\nCOPY server.js /srv/server.js\n`,
      'server.js': "require('http').createServer((q, s) => s.end('from the image, ' + process.env.DYNO)).listen(process.env.PORT);\n",
    });
    scratch.push(dir);
    const push = await git(dir, 'push', pushUrl(p.apiUrl, p.apiKey, 'docker-web'), 'main');
    assert.equal(push.code, 0, push.output);
    assert.match(push.output, /heroku\.yml declares types -> web/);
    const r = await waitFor('the image to answer through the router', async () => {
      const res = await p.viaRouter('docker-web');
      return res.status === 200 ? res : undefined;
    }, { timeoutMs: 90_000 });
    assert.equal(r.body, 'from the image, web.1');
  });
});
