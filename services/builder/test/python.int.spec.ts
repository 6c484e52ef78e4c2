import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { BuilderHarness } from './harness.js';

const run = promisify(execFile);

/**
 * Writes a pure-Python wheel by hand (a wheel is a zip with a dist-info), so the test needs
 * neither setuptools' bdist_wheel nor any index: pip finds it through PIP_FIND_LINKS.
 */
async function makeWheel(dir: string): Promise<void> {
  const script = `
import base64, hashlib, sys, zipfile
files = {
  'paas_tiny_fixture/__init__.py': 'VALUE = 42\\n',
  'paas_tiny_fixture-0.1.dist-info/METADATA': 'Metadata-Version: 2.1\\nName: paas-tiny-fixture\\nVersion: 0.1\\n',
  'paas_tiny_fixture-0.1.dist-info/WHEEL': 'Wheel-Version: 1.0\\nGenerator: paas-test\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n',
}
record = []
with zipfile.ZipFile(sys.argv[1] + '/paas_tiny_fixture-0.1-py3-none-any.whl', 'w') as z:
    for name, text in files.items():
        data = text.encode()
        z.writestr(name, data)
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b'=').decode()
        record.append(f'{name},sha256={digest},{len(data)}')
    record.append('paas_tiny_fixture-0.1.dist-info/RECORD,,')
    z.writestr('paas_tiny_fixture-0.1.dist-info/RECORD', '\\n'.join(record) + '\\n')
`;
  await run('python3', ['-c', script, dir]);
}

describe('builder: a Python app whose requirements.txt lists a package (local wheel, no network)', () => {
  let h: BuilderHarness;

  before(async () => {
    h = await BuilderHarness.start();
  });

  after(async () => {
    await h?.cleanup();
  });

  test('pip installs into the slug, honouring PIP_INDEX_URL / PIP_FIND_LINKS from config, and .profile.d makes it importable from $HOME', async () => {
    const wheels = await h.tempDir('paas-wheels-');
    await makeWheel(wheels);
    // An empty local index, so pip never looks beyond this machine.
    const index = join(await h.tempDir('paas-index-'), 'simple');
    await mkdir(index);
    const tree = { files: { 'requirements.txt': 'paas-tiny-fixture==0.1\n', Procfile: 'worker: python3 -c "import paas_tiny_fixture"\n' } };
    const config = { PIP_INDEX_URL: `file://${index}`, PIP_FIND_LINKS: wheels };
    const { outcome, pushed } = await h.build(tree, config);
    assert.equal(outcome.type, 'SlugBuilt', JSON.stringify(outcome.data));
    const out = await h.outputOf(pushed.data.buildId);
    assert.ok(out.lines.includes('-----> Installing requirements with pip'), out.lines.join('\n'));
    assert.ok(out.lines.some((l) => /^ {7}Successfully installed paas-tiny-fixture-0\.1/.test(l)), out.lines.join('\n'));

    const slug = await h.unpackSlug(outcome);
    // As a dyno runs it: HOME is the slug, the cwd is elsewhere, .profile.d is sourced first.
    const { stdout } = await run('sh', ['-c', '. "$HOME/.profile.d/python.sh" && python3 -c "import paas_tiny_fixture as t; print(t.VALUE)"'], {
      cwd: '/', env: { PATH: process.env.PATH, HOME: slug },
    });
    assert.equal(stdout.trim(), '42');

    // The same requirements again: the virtualenv comes from the app's cache, pip does not run.
    const again = await h.build(tree, config, pushed.appId);
    assert.equal(again.outcome.type, 'SlugBuilt', JSON.stringify(again.outcome.data));
    const cached = await h.outputOf(again.pushed.data.buildId);
    assert.ok(cached.lines.some((l) => /Reusing the virtualenv of the last build/.test(l)), cached.lines.join('\n'));
    assert.ok(!cached.lines.includes('-----> Installing requirements with pip'));
  });

  test('a package pip cannot find fails the build with pip\'s exit status', async () => {
    const index = join(await h.tempDir('paas-index-'), 'simple');
    await mkdir(index);
    const empty = await h.tempDir('paas-nowheels-');
    const { outcome, pushed } = await h.build(
      { files: { 'requirements.txt': 'paas-no-such-package==9.9\n' } },
      { PIP_INDEX_URL: `file://${index}`, PIP_FIND_LINKS: empty, PIP_EXTRA_INDEX_URL: `file://${index}` },
    );
    assert.equal(outcome.type, 'BuildFailed');
    if (outcome.type !== 'BuildFailed') return;
    assert.match(outcome.data.reason, /-m pip (--python \.heroku\/python\/bin\/python )?install -r requirements\.txt" exited with status 1/);
    const out = await h.outputOf(pushed.data.buildId);
    assert.ok(out.lines.some((l) => /No matching distribution found for paas-no-such-package/.test(l)), out.lines.join('\n'));
  });
});
