import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { access, readdir, readFile, readlink } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { SourcePushed } from '@paas/contracts';
import { BuilderHarness } from './harness.js';

const nodeApp = {
  'package.json': JSON.stringify({ name: 'hello', version: '1.0.0', scripts: { start: 'node server.js' } }),
  'server.js': "require('http').createServer((q, s) => s.end('hi')).listen(process.env.PORT);\n",
};

describe('builder: SourcePushed in, slug out (real NATS, real blob store)', () => {
  let h: BuilderHarness;

  before(async () => {
    h = await BuilderHarness.start();
  });

  after(async () => {
    await h?.cleanup();
  });

  test('a Node app with a start script becomes a slug with its files and web: npm start', async () => {
    const { pushed, outcome, events } = await h.build({ files: nodeApp });
    assert.equal(outcome.type, 'SlugBuilt', JSON.stringify(outcome.data));
    if (outcome.type !== 'SlugBuilt') return;
    const { slug } = outcome.data;
    assert.deepEqual(slug.processTypes, { web: 'npm start' });
    assert.equal(slug.buildpack, 'nodejs');
    assert.equal(slug.stack, 'heroku-24');
    assert.equal(slug.commit, pushed.data.commit);
    assert.equal(slug.blob.key, `slugs/${pushed.appId}/${slug.id}.tgz`);
    assert.equal(outcome.causationId, pushed.id);
    assert.equal(outcome.correlationId, pushed.correlationId);
    assert.deepEqual(events.map((e) => e.type), ['SourcePushed', 'BuildStarted', 'SlugBuilt']);

    const dir = await h.unpackSlug(outcome);
    assert.equal(await readFile(join(dir, 'server.js'), 'utf8'), nodeApp['server.js']);
    assert.deepEqual(JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')).scripts, { start: 'node server.js' });

    const out = await h.outputOf(pushed.data.buildId);
    assert.equal(out.end, 'succeeded');
    assert.deepEqual(out.lines.slice(0, 8), [
      '-----> Building on the Heroku-24 stack',
      '-----> Node.js app detected',
      `       engines.node (package.json): unspecified; using the stack's Node ${process.versions.node}`,
      '-----> Installing dependencies',
      '       No dependencies in package.json: nothing to install',
      '-----> Build',
      '       No build script in package.json: nothing to build',
      '-----> Discovering process types',
    ]);
    assert.deepEqual(out.lines.slice(8, 10), ['       Default types for buildpack -> web', '-----> Compressing...']);
    assert.match(out.lines[10], /^ {7}Done: \d+(\.\d)?[BKM]$/);
  });

  test('a tree archived by git (as the api stores a push) builds the same', async () => {
    const { outcome } = await h.build({ files: { ...nodeApp, 'lib/util.js': 'module.exports = 1;\n' }, git: true });
    assert.equal(outcome.type, 'SlugBuilt', JSON.stringify(outcome.data));
    const dir = await h.unpackSlug(outcome);
    assert.equal(await readFile(join(dir, 'lib', 'util.js'), 'utf8'), 'module.exports = 1;\n');
    await assert.rejects(access(join(dir, '.git')), 'git archive holds no .git');
  });

  test('a Procfile app (no buildpack needed) gets exactly the Procfile types', async () => {
    const { outcome, pushed } = await h.build({ files: { Procfile: 'web: ./serve.sh\nworker: ./work.sh\n', 'serve.sh': '#!/bin/sh\n', 'work.sh': '#!/bin/sh\n' } });
    assert.equal(outcome.type, 'SlugBuilt', JSON.stringify(outcome.data));
    if (outcome.type !== 'SlugBuilt') return;
    assert.deepEqual(outcome.data.slug.processTypes, { web: './serve.sh', worker: './work.sh' });
    assert.equal(outcome.data.slug.buildpack, 'procfile');
    const out = await h.outputOf(pushed.data.buildId);
    assert.ok(out.lines.includes('       Procfile declares types -> web, worker'), out.lines.join('\n'));
  });

  test('a Python app with an empty requirements.txt builds with nothing to install', async () => {
    const { outcome, pushed } = await h.build({ files: { 'requirements.txt': '', Procfile: 'web: python3 app.py\n', 'app.py': 'print(1)\n' } });
    assert.equal(outcome.type, 'SlugBuilt', JSON.stringify(outcome.data));
    if (outcome.type !== 'SlugBuilt') return;
    assert.equal(outcome.data.slug.buildpack, 'python');
    assert.deepEqual(outcome.data.slug.processTypes, { web: 'python3 app.py' });
    const out = await h.outputOf(pushed.data.buildId);
    assert.ok(out.lines.includes('-----> Python app detected'));
    assert.ok(out.lines.includes('       requirements.txt lists no packages: nothing to install'));
    const dir = await h.unpackSlug(outcome);
    assert.equal(await readFile(join(dir, 'app.py'), 'utf8'), 'print(1)\n');
  });

  test('an app without a web type succeeds and says it will get no HTTP traffic', async () => {
    const { outcome, pushed } = await h.build({ files: { Procfile: 'worker: ./work.sh\n' } });
    assert.equal(outcome.type, 'SlugBuilt');
    const out = await h.outputOf(pushed.data.buildId);
    assert.ok(out.lines.includes('       No web process type: this app will not receive HTTP traffic'), out.lines.join('\n'));
  });

  test('a malformed Procfile fails the build with the line number, and no slug is stored', async () => {
    const { outcome, pushed } = await h.build({ files: { Procfile: 'web: node server.js\nworker node worker.js\n', 'server.js': '' } });
    assert.equal(outcome.type, 'BuildFailed');
    if (outcome.type !== 'BuildFailed') return;
    assert.match(outcome.data.reason, /^Procfile line 2 /);
    assert.equal(outcome.data.commit, pushed.data.commit);
    const out = await h.outputOf(pushed.data.buildId);
    assert.equal(out.end, 'failed');
    assert.ok(out.lines.includes(` !     ${outcome.data.reason}`), out.lines.join('\n'));
    await assert.rejects(access(join(h.settings.dataDir, 'blobs', 'slugs', pushed.appId)));
  });

  test('an empty tree fails with "App not compatible with any buildpack" and the files looked for', async () => {
    const { outcome, pushed } = await h.build({ files: {} });
    assert.equal(outcome.type, 'BuildFailed');
    if (outcome.type !== 'BuildFailed') return;
    assert.equal(outcome.data.reason, 'App not compatible with any buildpack');
    const out = await h.outputOf(pushed.data.buildId);
    assert.deepEqual(out.lines.slice(0, 2), ['-----> Building on the Heroku-24 stack', ' !     App not compatible with any buildpack']);
    assert.match(out.lines[2], /^ ! {5}Looked for heroku\.yml, package\.json, requirements\.txt, setup\.py, Pipfile, pyproject\.toml with poetry\.lock or uv\.lock, Dockerfile, Procfile at the root/);
    assert.equal(out.end, 'failed');
  });

  test('a tarball with an entry outside the app dir is refused, and nothing lands outside', async () => {
    const { outcome, pushed } = await h.build({ files: { Procfile: 'web: x\n', '../escaped.txt': 'owned' }, tarPaths: ['Procfile', '../escaped.txt'] });
    assert.equal(outcome.type, 'BuildFailed');
    if (outcome.type !== 'BuildFailed') return;
    assert.match(outcome.data.reason, /entries outside the app directory/);
    const out = await h.outputOf(pushed.data.buildId);
    assert.ok(out.lines.some((l) => l.includes('"../escaped.txt" points outside the app directory')), out.lines.join('\n'));
    assert.deepEqual(await readdir(join(h.settings.dataDir, 'tmp')), []);
  });

  test('a Node app with dependencies runs npm install (a local file: dependency, no registry) and ships node_modules', async () => {
    const { outcome, pushed } = await h.build({
      files: {
        'package.json': JSON.stringify({ name: 'deps', version: '1.0.0', dependencies: { tiny: 'file:./vendor/tiny' }, scripts: { start: 'node index.js' } }),
        'vendor/tiny/package.json': JSON.stringify({ name: 'tiny', version: '1.0.0' }),
        'vendor/tiny/index.js': 'module.exports = 42;\n',
      },
    });
    assert.equal(outcome.type, 'SlugBuilt', JSON.stringify(outcome.data));
    const out = await h.outputOf(pushed.data.buildId);
    assert.ok(out.lines.includes('-----> Installing dependencies'), out.lines.join('\n'));
    assert.ok(out.lines.includes('       Installing node modules'), out.lines.join('\n'));
    assert.ok(out.lines.some((l) => /^ {7}added 1 package/.test(l)), out.lines.join('\n'));
    const dir = await h.unpackSlug(outcome);
    assert.equal(await readlink(join(dir, 'node_modules', 'tiny')), '../vendor/tiny');
  });

  test('a source blob that is missing fails the build saying to push again', async () => {
    const appId = randomUUID();
    const buildId = randomUUID();
    await h.publisher.publish(SourcePushed, {
      appName: 'myapp', buildId, commit: null, ref: null, by: 'admin@paas.local', config: {},
      source: { key: `sources/${appId}/${buildId}.tar.gz`, checksum: `sha256:${'0'.repeat(64)}`, size: 10 },
    }, { appId });
    const outcome = (await h.eventsUntilOutcome(appId)).at(-1)!;
    assert.equal(outcome.type, 'BuildFailed');
    if (outcome.type !== 'BuildFailed') return;
    assert.match(outcome.data.reason, /^The pushed source could not be read \(blob sources\/.+ is missing from .+\); push again$/);
  });

  test('no build leaves its work directory behind', async () => {
    assert.deepEqual(await readdir(join(h.settings.dataDir, 'tmp')), []);
  });
});
