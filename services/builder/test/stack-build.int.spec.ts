import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { BuilderHarness } from './harness.js';

const run = promisify(execFile);
const IMAGE = process.env.PAAS_STACK_IMAGE || 'paas/stack:bookworm';

/** Why builds cannot run in the stack image here, or undefined when they can. */
async function unavailable(): Promise<string | undefined> {
  try {
    await run('docker', ['image', 'inspect', IMAGE]);
    return undefined;
  } catch (err) {
    return `no Docker engine with the stack image ${IMAGE} (${(err as Error).message.split('\n')[0]}); .ci/run builds it`;
  }
}

const skip = await unavailable();
if (skip) console.log(`# skipping builds in the stack image: ${skip}`);

describe('builder with the docker runtime: buildpack builds run in a container of the stack image', { skip }, () => {
  let h: BuilderHarness;

  before(async () => {
    h = await BuilderHarness.start({ buildIn: 'stack', stackImage: IMAGE, buildTimeoutMs: 240_000 });
  });

  after(async () => {
    await h?.cleanup();
    // Build containers are removed with their build; one left behind would be a bug, and is cleaned here too.
    const { stdout } = await run('docker', ['ps', '-aq', '--filter', 'label=paas.app=myapp']).catch(() => ({ stdout: '' }));
    for (const id of stdout.split('\n').filter(Boolean)) await run('docker', ['rm', '-f', id]).catch(() => undefined);
  });

  test('a Python app gets a virtualenv of the stack\'s python that runs in the stack image from /app', async () => {
    const { outcome, pushed } = await h.build({ files: { 'requirements.txt': '', Procfile: 'web: python app.py\n', 'app.py': 'import sys; print(sys.prefix, sys.version_info[:2])\n' } });
    const out = await h.outputOf(pushed.data.buildId);
    assert.equal(outcome.type, 'SlugBuilt', out.lines.join('\n'));
    assert.ok(out.lines.includes(`       Building in a container of the stack image ${IMAGE}`), out.lines.join('\n'));
    const slug = await h.unpackSlug(outcome);
    assert.match(await readFile(join(slug, '.profile.d', 'python.sh'), 'utf8'), /ln -s '\/usr\/bin\/python3\.\d+'/);
    // As the docker runtime runs it: the slug in /app, HOME=/app, .profile.d sourced first.
    const { stdout } = await run('docker', ['run', '--rm', '--user', '0:0', '-v', `${slug}:/app`, '-e', 'HOME=/app', '-w', '/app', IMAGE, 'sh', '-c', '. /app/.profile.d/python.sh && python app.py']);
    assert.match(stdout.trim(), /^\/app\/\.heroku\/python \(3, \d+\)$/);
    const { stdout: left } = await run('docker', ['ps', '-aq', '--filter', `label=paas.build=${pushed.data.buildId}`]);
    assert.equal(left.trim(), '', 'the build container is gone');
  });

  test('a Node app is checked against and installed with the stack\'s node, not the builder\'s', async () => {
    const { stdout: stackNode } = await run('docker', ['run', '--rm', IMAGE, 'node', '--version']);
    const major = stackNode.trim().replace(/^v/, '').split('.')[0];
    const files = {
      'package.json': JSON.stringify({ name: 'n', version: '1.0.0', engines: { node: `${major}.x` }, dependencies: { tiny: 'file:./vendor/tiny' }, scripts: { start: 'node s.js' } }),
      'vendor/tiny/package.json': JSON.stringify({ name: 'tiny', version: '1.0.0' }),
    };
    const { outcome, pushed } = await h.build({ files });
    const out = await h.outputOf(pushed.data.buildId);
    assert.equal(outcome.type, 'SlugBuilt', out.lines.join('\n'));
    assert.ok(out.lines.some((l) => l.includes(`using the stack's Node ${stackNode.trim().replace(/^v/, '')}`)), out.lines.join('\n'));
    const { outcome: old } = await h.build({ files: { ...files, 'package.json': JSON.stringify({ name: 'n', engines: { node: '>=99' } }) } });
    assert.equal(old.type, 'BuildFailed');
    if (old.type === 'BuildFailed') assert.match(old.data.reason, /engines\.node in package\.json asks for ">=99"/);
  });
});

describe('builder with the docker runtime: the operator\'s certificate bundle (PAAS_BUILD_CA_FILE) reaches builds', { skip }, () => {
  let h: BuilderHarness;
  let dir: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'paas-ca-'));
    // A real certificate (the first of the host's bundle) behind a marker line the build prints.
    const host = await readFile('/etc/ssl/certs/ca-certificates.crt', 'utf8');
    const first = host.slice(host.indexOf('-----BEGIN CERTIFICATE-----'), host.indexOf('-----END CERTIFICATE-----') + 25);
    await writeFile(join(dir, 'bundle.pem'), `# paas-test-bundle\n${first}\n`);
    h = await BuilderHarness.start({ buildIn: 'stack', stackImage: IMAGE, buildTimeoutMs: 240_000, buildCaFile: join(dir, 'bundle.pem') });
  });

  after(async () => {
    await h?.cleanup();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('node, npm and pip in the build container are pointed at it, read-only', async () => {
    const files = {
      'package.json': JSON.stringify({
        name: 'n', version: '1.0.0', scripts: {
          start: 'node s.js',
          'heroku-postbuild': 'head -1 "$NODE_EXTRA_CA_CERTS" && test "$PIP_CERT" = "$NODE_EXTRA_CA_CERTS" && test "$SSL_CERT_FILE" = "$PIP_CERT" && (touch "$NODE_EXTRA_CA_CERTS" 2>/dev/null && echo writable || echo read-only)',
        },
      }),
    };
    const { outcome, pushed } = await h.build({ files });
    const out = await h.outputOf(pushed.data.buildId);
    assert.equal(outcome.type, 'SlugBuilt', out.lines.join('\n'));
    assert.ok(out.lines.some((l) => l.trim() === '# paas-test-bundle'), out.lines.join('\n'));
    assert.ok(out.lines.some((l) => l.trim() === 'read-only'), out.lines.join('\n'));
  });
});
