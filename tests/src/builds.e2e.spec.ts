import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, stat, symlink, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as tar from 'tar';
import { waitFor } from '@paas/testing';
import { git, pythonServer, Scratch } from './git.js';
import { Platform } from './platform.js';
import { makeWheel, PythonIndex } from './python-index.js';

/** The Python series (3.N) of this machine's python3: the one the builder surely finds. */
const pythonSeries = execFileSync('python3', ['-c', 'import sys; print("%d.%d" % sys.version_info[:2])'], { encoding: 'utf8' }).trim();

const pyServer = pythonServer;

const expressApp = (text: string) => ({
  'package.json': JSON.stringify({ name: 'ex', version: '1.0.0', engines: { node: '>=18' }, dependencies: { express: '^4.21.0' }, scripts: { start: 'node server.js' } }),
  'server.js': `const app = require('express')(); app.get('/', (q, s) => s.send(${JSON.stringify(text)})); app.listen(process.env.PORT);\n`,
});

/** Serves files (tarballs) over HTTP on loopback for the Build API to download; `/to?<url>` redirects there. */
async function serveFiles(files: Map<string, Buffer>): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    if (req.url?.startsWith('/to?')) return void res.writeHead(302, { location: decodeURIComponent(req.url.slice(4)) }).end();
    const body = files.get(req.url ?? '');
    if (!body) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'application/gzip' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

/** A tar.gz of a directory as it is, symlinks and `../` entries included (node-tar keeps what it is given). */
async function tarball(cwd: string, paths: string[]): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of tar.c({ gzip: true, cwd, portable: true, preservePaths: true }, paths)) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

describe('builds: Python, Node, Docker, the Build API and failures, through the five services', () => {
  let p: Platform;
  let index: PythonIndex;
  let files: { url: string; server: Server };
  const scratch = new Scratch();
  const tarballs = new Map<string, Buffer>();
  const repo = (tree: Record<string, string>) => scratch.repo(tree);
  // Forced: some tests push unrelated trees to the same app, one after the other.
  const push = (dir: string, app: string) => p.push(dir, app, { force: true });
  const create = async (name: string, config: Record<string, string> = {}) => {
    assert.equal((await p.api('POST', '/apps', { name })).status, 201);
    if (Object.keys(config).length) assert.equal((await p.api('PATCH', `/apps/${name}/config-vars`, config)).status, 200);
  };
  const answers = (app: string, body: string) => waitFor(`${app} to answer "${body}"`, async () => (await p.viaRouter(app)).body === body, { timeoutMs: 30_000 });

  before(async () => {
    const wheels = await mkdtemp(join(tmpdir(), 'paas-wheels-'));
    scratch.keep(wheels);
    index = await PythonIndex.start([await makeWheel(wheels, 'paas-greeting', '1.0', 'paas_greeting', 'hello from a wheel')]);
    files = await serveFiles(tarballs);
    p = await Platform.start({ PAAS_SOURCE_ALLOWED_HOSTS: '127.0.0.1/32' });
  });

  after(async () => {
    await p?.stop();
    await index?.close();
    await new Promise((r) => files?.server.close(r));
    await scratch.remove();
  });

  test('a Python app with a dependency from a local index (PIP_INDEX_URL) is built into a virtualenv and served; a pip failure keeps it serving', async () => {
    await create('py-index', { PIP_INDEX_URL: index.url });
    const dir = await repo({ 'requirements.txt': 'paas-greeting==1.0\n', '.python-version': `${pythonSeries}\n`, Procfile: 'web: python app.py\n', 'app.py': pyServer('__import__("paas_greeting").VALUE + " on " + __import__("sys").version.split()[0]') });
    const first = await push(dir, 'py-index');
    assert.equal(first.code, 0, first.output);
    assert.match(first.output, /remote: -----> Python app detected/);
    assert.match(first.output, new RegExp(`remote: {8}Using Python ${pythonSeries.replace('.', '\\.')}\\.\\d+ \\(from \\.python-version\\)`));
    assert.match(first.output, /remote: -----> Installing requirements with pip/);
    assert.match(first.output, /remote: {8}Successfully installed paas-greeting-1\.0/);
    assert.match(first.output, /remote: {8}Procfile declares types -> web/);
    assert.match(first.output, /remote: -----> Compressing\.\.\.\s+remote: {8}Done: \d/);
    assert.match(first.output, /remote: {8}Released v3/);
    await waitFor('the python app', async () => (await p.viaRouter('py-index')).body.startsWith(`hello from a wheel on ${pythonSeries}.`), { timeoutMs: 30_000 });
    assert.ok(index.requests.some((r) => r.startsWith('/simple/paas-greeting')), 'pip asked the local index');

    await writeFile(join(dir, 'requirements.txt'), 'paas-greeting==1.0\npaas-not-published==9.9\n');
    await git(dir, 'commit', '-qam', 'a package nobody published');
    const broken = await push(dir, 'py-index');
    assert.notEqual(broken.code, 0);
    assert.match(broken.output, /No matching distribution found for paas-not-published/);
    assert.match(broken.output, /Push rejected, failed to compile the app/);
    assert.equal((await p.viaRouter('py-index')).status, 200, 'the previous release still serves');
    assert.deepEqual((await p.api('GET', '/apps/py-index/releases')).body.map((r: { version: number }) => r.version), [1, 2, 3]);
  });

  test('a Pipfile.lock app installs exactly the locked default packages without pipenv', async () => {
    await create('py-pipenv', { PIP_INDEX_URL: index.url });
    const [[wheel, hash]] = [...index.hashes];
    assert.match(wheel, /^paas_greeting/);
    const lock = { _meta: { requires: { python_version: pythonSeries } }, default: { 'paas-greeting': { version: '==1.0', hashes: [`sha256:${hash}`] } }, develop: { 'paas-dev-only': { version: '==1.0' } } };
    const dir = await repo({ Pipfile: '[packages]\npaas-greeting = "==1.0"\n', 'Pipfile.lock': JSON.stringify(lock), Procfile: 'web: python app.py\n', 'app.py': pyServer('__import__("paas_greeting").VALUE') });
    const r = await push(dir, 'py-pipenv');
    assert.equal(r.code, 0, r.output);
    assert.match(r.output, new RegExp(`Using Python ${pythonSeries.replace('.', '\\.')}\\.\\d+ \\(from Pipfile\\.lock\\)`));
    assert.match(r.output, /Installing the 1 packages locked in Pipfile\.lock/);
    await answers('py-pipenv', 'hello from a wheel');
  });

  test('a Node app using express from the registry, no Procfile (web: npm start); the second push reuses the cache; an npm failure keeps it serving', async () => {
    await create('node-express');
    const dir = await repo(expressApp('express v1'));
    const started = Date.now();
    const first = await push(dir, 'node-express');
    const firstMs = Date.now() - started;
    assert.equal(first.code, 0, first.output);
    assert.match(first.output, /remote: -----> Node\.js app detected/);
    assert.match(first.output, /engines\.node \(package\.json\): >=18; using the stack's Node/);
    assert.match(first.output, /remote: {8}Installing node modules/);
    assert.match(first.output, /remote: {8}Default types for buildpack -> web/);
    await answers('node-express', 'express v1');

    await writeFile(join(dir, 'server.js'), expressApp('express v2')['server.js']);
    await git(dir, 'commit', '-qam', 'v2');
    const again = Date.now();
    const second = await push(dir, 'node-express');
    const secondMs = Date.now() - again;
    assert.equal(second.code, 0, second.output);
    assert.match(second.output, /Restored node_modules from the cache/);
    await answers('node-express', 'express v2');
    console.log(`# express app: first push ${firstMs} ms, cached push ${secondMs} ms (both include waiting for the new dyno)`);

    const purge = await p.api('DELETE', '/apps/node-express/build-cache');
    assert.equal(purge.status, 200);
    assert.equal(purge.body.purged, true);

    await writeFile(join(dir, 'package.json'), JSON.stringify({ name: 'ex', version: '1.0.0', dependencies: { express: '^4.21.0', 'paas-no-such-package-e2e': '1.0.0' }, scripts: { start: 'node server.js' } }));
    await git(dir, 'commit', '-qam', 'a dependency that does not exist');
    const broken = await push(dir, 'node-express');
    assert.notEqual(broken.code, 0);
    assert.match(broken.output, /npm (error|ERR!)/);
    assert.match(broken.output, /Push rejected, failed to compile the app/);
    assert.equal((await p.viaRouter('node-express')).body, 'express v2', 'the previous release still serves');
  });

  test('a web + worker Procfile declares both types, app.json scales the worker on the first deploy; a Node version the stack lacks fails naming the one it has', async () => {
    await create('two-types');
    const tree = {
      'package.json': JSON.stringify({ name: 'two', version: '1.0.0' }),
      Procfile: '# two kinds\nweb: node web.js\n\nworker: node worker.js\n',
      'web.js': "require('http').createServer((q, s) => s.end('web here')).listen(process.env.PORT);\n",
      'worker.js': 'setInterval(() => {}, 1000);\n',
      'app.json': JSON.stringify({ name: 'two', description: 'web and worker', formation: { worker: { quantity: 1 } } }),
    };
    const ok = await push(await repo(tree), 'two-types');
    assert.equal(ok.code, 0, ok.output);
    assert.match(ok.output, /remote: {8}Procfile declares types -> web, worker/);
    assert.match(ok.output, /remote: {8}Formation default: worker=1/);
    const formation = (await p.api('GET', '/apps/two-types/formation')).body as { type: string; command: string; quantity: number }[];
    assert.deepEqual(formation.map((f) => [f.type, f.command, f.quantity]).sort(), [['web', 'node web.js', 1], ['worker', 'node worker.js', 1]], 'app.json formation applies on the first deploy');
    await waitFor('the worker dyno to be up', async () => (await p.api('GET', '/apps/two-types/dynos')).body.some((d: { name: string; state: string }) => d.name === 'worker.1' && d.state === 'up'));
    await answers('two-types', 'web here');

    const old = await push(await repo({ ...tree, 'package.json': JSON.stringify({ name: 'two', engines: { node: '0.10.x' } }) }), 'two-types');
    assert.notEqual(old.code, 0);
    assert.match(old.output, /engines\.node in package\.json asks for "0\.10\.x"/);
    assert.match(old.output, new RegExp(`Versions available: ${process.versions.node.replaceAll('.', '\\.')}`));
  });

  test('a broken Procfile, an unrecognisable tree and an invalid app.json are rejected saying why', async () => {
    await create('rejects');
    const procfile = await push(await repo({ 'requirements.txt': '', Procfile: 'web: python app.py\nnot a process line\n' }), 'rejects');
    assert.notEqual(procfile.code, 0);
    assert.match(procfile.output, /Procfile line 2/);
    const nothing = await push(await repo({ 'README.md': 'hi' }), 'rejects');
    assert.notEqual(nothing.code, 0);
    assert.match(nothing.output, /App not compatible with any buildpack/);
    assert.match(nothing.output, /Looked for heroku\.yml, package\.json, requirements\.txt/);
    const appJson = await push(await repo({ Procfile: 'web: x', 'app.json': JSON.stringify({ formation: { web: { quantity: 'many' } } }) }), 'rejects');
    assert.notEqual(appJson.code, 0);
    assert.match(appJson.output, /app\.json: formation\.web\.quantity/);
    assert.deepEqual((await p.api('GET', '/apps/rejects/releases')).body.map((r: { version: number }) => r.version), [1]);
  });

  test('Build API: upload through POST /sources, build from its URL, stream the output live and replay it; hostile tarballs are refused', async () => {
    await create('api-build');
    const src = await mkdtemp(join(tmpdir(), 'paas-src-'));
    scratch.keep(src);
    const tree: Record<string, string> = {
      'package.json': JSON.stringify({ name: 'b', scripts: { start: 'node s.js' } }),
      's.js': "require('http').createServer((q, s) => s.end('built by the api')).listen(process.env.PORT);\n",
      '.slugignore': 'docs/\n', 'docs/big.txt': 'not in the slug',
    };
    for (const [f, text] of Object.entries(tree)) {
      await mkdir(dirname(join(src, 'app', f)), { recursive: true });
      await writeFile(join(src, 'app', f), text);
    }
    const source = await p.api('POST', '/sources');
    assert.equal(source.status, 201);
    const put = await fetch(source.body.source_blob.put_url, { method: 'PUT', headers: { 'content-type': 'application/octet-stream' }, body: await tarball(join(src, 'app'), ['.']) });
    assert.equal(put.status, 200, await put.text());

    const created = await p.api('POST', '/apps/api-build/builds', { source_blob: { url: source.body.source_blob.get_url, version: 'v1.0' } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.status, 'pending');
    const stream = await fetch(created.body.output_stream_url);
    assert.equal(stream.status, 200);
    assert.match(stream.headers.get('content-type') ?? '', /^text\/plain/);
    const live = await stream.text();
    assert.match(live, /-----> Node\.js app detected/);
    assert.match(live, /Removed 1 path listed in \.slugignore/);
    assert.match(live, /Done: \d/);

    const done = await waitFor('the build to succeed with a release', async () => {
      const b = await p.api('GET', `/apps/api-build/builds/${created.body.id}`);
      return b.body.status === 'succeeded' && b.body.release ? b.body : undefined;
    });
    assert.equal(done.source_blob.version, 'v1.0');
    assert.equal(done.release.version, 2);
    assert.ok(done.slug.id);
    assert.equal(await (await fetch(created.body.output_stream_url)).text(), live, 'the output replays the same after the build');
    await answers('api-build', 'built by the api');

    // Hostile tarballs, served by the test: an entry climbing out with ../ and a symlink leading out.
    const evil = await mkdtemp(join(tmpdir(), 'paas-evil-'));
    scratch.keep(evil);
    await mkdir(join(evil, 'app'));
    await writeFile(join(evil, 'escaped.txt'), 'outside');
    await writeFile(join(evil, 'app', 'Procfile'), 'web: x\n');
    tarballs.set('/dotdot.tgz', await tarball(join(evil, 'app'), ['Procfile', '../escaped.txt']));
    await symlink('../../../../etc', join(evil, 'app', 'etc'));
    tarballs.set('/symlink.tgz', await tarball(join(evil, 'app'), ['Procfile', 'etc']));
    for (const [path, why] of [['/dotdot.tgz', /"\.\.\/escaped\.txt" points outside the app directory/], ['/symlink.tgz', /link "etc" points outside the app directory/]] as const) {
      const b = await p.api('POST', '/apps/api-build/builds', { source_blob: { url: `${files.url}${path}` } });
      assert.equal(b.status, 201, JSON.stringify(b.body));
      const output = await (await fetch(b.body.output_stream_url)).text();
      assert.match(output, /entries outside the app directory; refusing to build it/);
      assert.match(output, why);
      const failed = await waitFor('the build to be failed', async () => {
        const r = await p.api('GET', `/apps/api-build/builds/${b.body.id}`);
        return r.body.status === 'failed' ? r.body : undefined;
      });
      assert.match(failed.failure_reason, /outside the app directory/);
    }
    const bad = await p.api('POST', '/apps/api-build/builds', { source_blob: { url: 'ftp://example.com/x.tgz' } });
    assert.equal(bad.status, 422);
    assert.match(bad.body.message, /http\(s\) URL/);
    const missing = await p.api('POST', '/apps/api-build/builds', { source_blob: { url: `${files.url}/nothing-here.tgz` } });
    assert.equal(missing.status, 422);
    assert.match(missing.body.message, /HTTP 404/);
    // The address guard: the test's server is allowed (PAAS_SOURCE_ALLOWED_HOSTS=127.0.0.1/32), the
    // metadata address and the platform's own listeners never are, also when a redirect leads there.
    const builds = (await p.api('GET', '/apps/api-build/builds')).body.length;
    const metadata = await p.api('POST', '/apps/api-build/builds', { source_blob: { url: 'http://169.254.169.254/latest/meta-data/source.tgz' } });
    assert.equal(metadata.status, 422);
    assert.match(metadata.body.message, /cloud metadata.*PAAS_SOURCE_ALLOWED_HOSTS=169\.254\.169\.254:80/);
    const itself = await p.api('POST', '/apps/api-build/builds', { source_blob: { url: `${p.apiUrl}/healthz` } });
    assert.equal(itself.status, 422);
    assert.match(itself.body.message, /platform's own listener.*the platform does not fetch sources from itself/);
    const redirected = await p.api('POST', '/apps/api-build/builds', { source_blob: { url: `${files.url}/to?${encodeURIComponent(`http://127.0.0.1:${new URL(p.routerUrl).port}/x.tgz`)}` } });
    assert.equal(redirected.status, 422);
    assert.match(redirected.body.message, /platform's own listener/);
    assert.equal((await p.api('GET', '/apps/api-build/builds')).body.length, builds, 'no build was made of a refused URL');
    assert.equal((await p.viaRouter('api-build')).body, 'built by the api');
  });

  test('destroying an app removes its build cache', async () => {
    const app = (await p.api('GET', '/apps/py-index')).body;
    const cache = join(p.dataDir, 'cache', app.id);
    assert.ok(await stat(cache).catch(() => undefined), 'the Python app has a build cache');
    assert.equal((await p.api('DELETE', '/apps/py-index')).status, 200);
    await waitFor('the build cache to be removed', async () => !(await stat(cache).catch(() => undefined)));
  });
});
