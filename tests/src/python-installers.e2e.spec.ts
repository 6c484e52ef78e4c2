import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { waitFor } from '@paas/testing';
import { git, pythonServer, Scratch } from './git.js';
import { PaasCli } from './paas-cli.js';
import { Platform } from './platform.js';
import { makeWheel, makeWheelOf, PythonIndex } from './python-index.js';

/**
 * pip 23.1 and later build a setup.py project in an isolated environment with setuptools and
 * wheel taken from the app's index (on the host, with the process runtime; the stack's pip 23.0
 * uses the virtualenv's setuptools instead). The index serves the setuptools bundled with this
 * machine's python3 (its ensurepip), else Debian's (python3-setuptools-whl, patched for Debian's
 * python3), and Debian's wheel (python3-wheel-whl); the app asks for that python3's version.
 */
const SYSTEM_WHEELS = '/usr/share/python-wheels';
const [python3Version, ensurepipDir] = execFileSync('python3', ['-c', 'import ensurepip, os, sys; print("%d.%d.%d" % sys.version_info[:3]); print(os.path.join(os.path.dirname(ensurepip.__file__), "_bundled"))'], { encoding: 'utf8' }).trim().split('\n');

async function buildToolWheels(): Promise<string[]> {
  const find = async (dir: string, name: string) => (await readdir(dir).catch(() => [] as string[])).filter((f) => f.startsWith(`${name}-`) && f.endsWith('.whl')).map((f) => join(dir, f))[0];
  const setuptools = (await find(ensurepipDir, 'setuptools')) ?? (await find(SYSTEM_WHEELS, 'setuptools'));
  const wheel = await find(SYSTEM_WHEELS, 'wheel');
  assert.ok(setuptools && wheel, `setuptools and wheel wheels are needed in ${SYSTEM_WHEELS}: apt-get install python3-setuptools-whl python3-wheel-whl (.ci/run does)`);
  return [setuptools, wheel];
}

/** A fake Django: just what the builder's collectstatic step runs (`shell -c`, `collectstatic --noinput`). */
const fakeDjango: Record<string, string> = {
  'django/__init__.py': "VERSION = (4, 2, 99, 'final', 0)\n\ndef get_version():\n    return '4.2.99'\n",
  'django/conf/__init__.py': [
    'import importlib, os',
    "DEFAULTS = {'STATIC_ROOT': None, 'STATICFILES_DIRS': []}",
    'class LazySettings:',
    '    def __getattr__(self, name):',
    "        module = importlib.import_module(os.environ['DJANGO_SETTINGS_MODULE'])",
    '        return getattr(module, name, DEFAULTS.get(name))',
    'settings = LazySettings()', '',
  ].join('\n'),
  'django/core/__init__.py': '',
  'django/core/management/__init__.py': [
    'import os, shutil, sys',
    'def execute_from_command_line(argv=None):',
    '    argv = argv or sys.argv',
    "    command = argv[1] if len(argv) > 1 else 'help'",
    '    from django.conf import settings',
    "    if command == 'shell' and '-c' in argv:",
    "        exec(argv[argv.index('-c') + 1], {})",
    "    elif command == 'collectstatic':",
    "        if '--noinput' not in argv and '--no-input' not in argv:",
    "            sys.exit('collectstatic asks for confirmation without --noinput')",
    '        root = settings.STATIC_ROOT',
    '        if not root:',
    "            sys.exit(\"django.core.exceptions.ImproperlyConfigured: You're using the staticfiles app without having set the STATIC_ROOT setting to a filesystem path.\")",
    '        count = 0',
    '        for source in settings.STATICFILES_DIRS:',
    '            for dirpath, _, names in os.walk(source):',
    '                for name in names:',
    '                    target = os.path.join(str(root), os.path.relpath(os.path.join(dirpath, name), source))',
    '                    os.makedirs(os.path.dirname(target), exist_ok=True)',
    '                    shutil.copy2(os.path.join(dirpath, name), target)',
    '                    count += 1',
    "        print(f\"\\n{count} static file{'' if count == 1 else 's'} copied to '{root}'.\")",
    '    else:',
    "        sys.exit(f\"Unknown command: {command!r}\\nType 'manage.py help' for usage.\")", '',
  ].join('\n'),
};

const djangoApp = (staticText: string) => ({
  'requirements.txt': 'django==4.2.99\n',
  'manage.py': [
    '#!/usr/bin/env python', 'import os, sys', '',
    "if __name__ == '__main__':",
    "    os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'mysite.settings')",
    '    from django.core.management import execute_from_command_line',
    '    execute_from_command_line(sys.argv)', '',
  ].join('\n'),
  'mysite/__init__.py': '',
  'mysite/settings.py': [
    'from pathlib import Path', 'BASE_DIR = Path(__file__).resolve().parent.parent',
    "STATIC_URL = 'static/'", "STATIC_ROOT = BASE_DIR / 'staticfiles'", "STATICFILES_DIRS = [BASE_DIR / 'assets']", '',
  ].join('\n'),
  'assets/css/site.css': staticText,
  Procfile: 'web: python serve.py\n',
  // Answers with the installed Django's version and the collected file, read from the slug.
  'serve.py': pythonServer("'django ' + __import__('django').get_version() + ': ' + (open('staticfiles/css/site.css').read() if os.path.exists('staticfiles/css/site.css') else 'no collected static files')"),
});

const sha256 = async (path: string) => createHash('sha256').update(await readFile(path)).digest('hex');

describe('Python installers: setup.py, poetry.lock, uv.lock, Django collectstatic; paas builds:cache:purge', () => {
  let p: Platform;
  let index: PythonIndex;
  const scratch = new Scratch();
  /** Base name -> { path, sha256, size } of every wheel the index serves. */
  const wheels = new Map<string, { path: string; sha256: string; size: number }>();
  const wheel = (prefix: string) => [...wheels].find(([name]) => name.startsWith(prefix))!;
  const repo = (tree: Record<string, string>) => scratch.repo(tree);
  const push = (dir: string, app: string) => p.push(dir, app, { force: true });
  const create = async (name: string, config: Record<string, string> = {}) => {
    assert.equal((await p.api('POST', '/apps', { name })).status, 201);
    assert.equal((await p.api('PATCH', `/apps/${name}/config-vars`, { PIP_INDEX_URL: index.url, ...config })).status, 200);
  };
  const answers = (app: string, body: string) => waitFor(`${app} to answer "${body}"`, async () => (await p.viaRouter(app)).body === body, { timeoutMs: 30_000 });

  before(async () => {
    const dir = await mkdtemp(join(tmpdir(), 'paas-wheels-'));
    scratch.keep(dir);
    const paths = [
      await makeWheel(dir, 'paas-greeting', '1.0', 'paas_greeting', 'hello from a wheel'),
      await makeWheelOf(dir, 'paas-shout', '2.0', { 'paas_shout/__init__.py': 'from paas_greeting import VALUE as _V\nVALUE = _V.upper() + "!"\n' }, ['paas-greeting==1.0']),
      await makeWheelOf(dir, 'django', '4.2.99', fakeDjango),
      ...(await buildToolWheels()),
    ];
    for (const path of paths) wheels.set(basename(path), { path, sha256: await sha256(path), size: (await stat(path)).size });
    index = await PythonIndex.start(paths);
    // Builds see only the app's index: not this machine's pip configuration or mirrors (the builder passes PIP_* on).
    p = await Platform.start({ PIP_CONFIG_FILE: '/dev/null', PIP_FIND_LINKS: '' });
  });

  after(async () => {
    await p?.stop();
    await index?.close();
    await scratch.remove();
  });

  test('a setup.py app: `pip install .` installs the app and its install_requires from the local index', async () => {
    await create('py-setup');
    const dir = await repo({
      '.python-version': `${python3Version}\n`,
      'setup.py': "from setuptools import setup\n\nsetup(name='paas-setup-app', version='0.1', py_modules=['greet'], install_requires=['paas-greeting==1.0'])\n",
      'greet.py': "import paas_greeting\n\nTEXT = paas_greeting.VALUE + ' via setup.py'\n",
      Procfile: 'web: python app.py\n',
      // The installed distribution's version proves pip installed the app itself, not only its requirement.
      'app.py': pythonServer("__import__('greet').TEXT + ' ' + __import__('importlib.metadata').metadata.version('paas-setup-app')"),
    });
    const r = await push(dir, 'py-setup');
    assert.equal(r.code, 0, r.output);
    assert.match(r.output, /remote: -----> Python app detected/);
    assert.match(r.output, /remote: -----> Installing requirements with pip/);
    assert.match(r.output, /remote: {8}Successfully installed paas-greeting-1\.0 paas-setup-app-0\.1/);
    await answers('py-setup', 'hello from a wheel via setup.py 0.1');
    assert.ok(index.requests.some((u) => u.startsWith('/simple/paas-greeting')), 'install_requires came from the app\'s index');
    if (/Installing build dependencies/.test(r.output)) {
      assert.ok(index.requests.some((u) => u.startsWith('/simple/setuptools')), 'the isolated build took setuptools from the app\'s index');
    }
  });

  test('a poetry.lock app (poetry 1.8, no groups in the lock) installs the main set, hash-checked, without poetry; dev packages stay out', async () => {
    await create('py-poetry');
    const [greeting, g] = wheel('paas_greeting-');
    const [shout, s] = wheel('paas_shout-');
    const pyproject = [
      '[tool.poetry]', 'name = "poetry-app"', 'version = "0.1.0"', 'description = ""', 'authors = ["Test <test@example.com>"]', 'package-mode = false', '',
      '[tool.poetry.dependencies]', 'python = "^3.9"', 'paas-shout = "2.0"', '',
      '[tool.poetry.group.dev.dependencies]', 'paas-dev-only = "^1.0"', '',
      '[build-system]', 'requires = ["poetry-core"]', 'build-backend = "poetry.core.masonry.api"', '',
    ].join('\n');
    const pkg = (name: string, version: string, file: string, hash: string, deps = '') => [
      '[[package]]', `name = "${name}"`, `version = "${version}"`, 'description = ""', 'optional = false', 'python-versions = "*"',
      'files = [', `    {file = "${file}", hash = "sha256:${hash}"},`, ']', ...(deps ? ['', '[package.dependencies]', deps] : []), '',
    ].join('\n');
    // As poetry writes it: packages sorted by name, the dev one included (it is not on the index: installing it would fail the build).
    const lock = [
      '# This file is automatically @generated by Poetry 1.8.3 and should not be changed by hand.', '',
      pkg('paas-dev-only', '1.0', 'paas_dev_only-1.0-py3-none-any.whl', 'f'.repeat(64)),
      pkg('paas-greeting', '1.0', greeting, g.sha256),
      pkg('paas-shout', '2.0', shout, s.sha256, 'paas-greeting = "1.0"'),
      '[metadata]', 'lock-version = "2.0"', 'python-versions = "^3.9"', `content-hash = "${createHash('sha256').update(pyproject).digest('hex')}"`, '',
    ].join('\n');
    const dir = await repo({ 'pyproject.toml': pyproject, 'poetry.lock': lock, Procfile: 'web: python app.py\n', 'app.py': pythonServer("'poetry: ' + __import__('paas_shout').VALUE") });
    const r = await push(dir, 'py-poetry');
    assert.equal(r.code, 0, r.output);
    assert.match(r.output, /remote: {8}Installing the 2 packages locked in poetry\.lock/);
    assert.match(r.output, /remote: {8}Checking each download against the sha256 hashes in poetry\.lock/);
    assert.match(r.output, /Successfully installed paas-greeting-1\.0 paas-shout-2\.0/);
    assert.doesNotMatch(r.output, /paas-dev-only/);
    await answers('py-poetry', 'poetry: HELLO FROM A WHEEL!');
  });

  test('a uv.lock app installs the locked set without uv; a download whose sha256 differs from the lock is refused', async () => {
    await create('py-uv');
    const [greeting, g] = wheel('paas_greeting-');
    const [shout, s] = wheel('paas_shout-');
    const registry = `source = { registry = "${index.url}" }`;
    const lockWith = (shoutHash: string) => [
      'version = 1', 'revision = 2', 'requires-python = ">=3.9"', '',
      '[[package]]', 'name = "paas-greeting"', 'version = "1.0"', registry, 'wheels = [',
      `    { url = "${index.fileUrl(greeting)}", hash = "sha256:${g.sha256}", size = ${g.size} },`, ']', '',
      '[[package]]', 'name = "paas-shout"', 'version = "2.0"', registry, 'dependencies = [', '    { name = "paas-greeting" },', ']', 'wheels = [',
      `    { url = "${index.fileUrl(shout)}", hash = "sha256:${shoutHash}", size = ${s.size} },`, ']', '',
      '[[package]]', 'name = "uv-app"', 'version = "0.1.0"', 'source = { virtual = "." }', 'dependencies = [', '    { name = "paas-shout" },', ']', '',
      '[package.dev-dependencies]', 'dev = [', '    { name = "paas-dev-only" },', ']', '',
      '[package.metadata]', 'requires-dist = [{ name = "paas-shout", specifier = "==2.0" }]', '',
      '[package.metadata.requires-dev]', 'dev = [{ name = "paas-dev-only", specifier = ">=1.0" }]', '',
    ].join('\n');
    const pyproject = [
      '[project]', 'name = "uv-app"', 'version = "0.1.0"', 'requires-python = ">=3.9"', 'dependencies = ["paas-shout==2.0"]', '',
      '[dependency-groups]', 'dev = ["paas-dev-only>=1.0"]', '',
    ].join('\n');
    const tampered = s.sha256.replace(/^./, (c) => (c === '0' ? '1' : '0'));
    const dir = await repo({ 'pyproject.toml': pyproject, 'uv.lock': lockWith(tampered), Procfile: 'web: python app.py\n', 'app.py': pythonServer("'uv: ' + __import__('paas_shout').VALUE") });
    const refused = await push(dir, 'py-uv');
    assert.notEqual(refused.code, 0, refused.output);
    assert.match(refused.output, /THESE PACKAGES DO NOT MATCH THE HASHES/);
    assert.match(refused.output, new RegExp(`Expected sha256 ${tampered}`));
    assert.match(refused.output, /Push rejected, failed to compile the app/);

    await writeFile(join(dir, 'uv.lock'), lockWith(s.sha256));
    await git(dir, 'commit', '-qam', 'the real hash');
    const r = await push(dir, 'py-uv');
    assert.equal(r.code, 0, r.output);
    assert.match(r.output, /remote: {8}Installing the 2 packages locked in uv\.lock/);
    assert.match(r.output, /remote: {8}Checking each download against the sha256 hashes in uv\.lock/);
    assert.match(r.output, /Successfully installed paas-greeting-1\.0 paas-shout-2\.0/);
    await answers('py-uv', 'uv: HELLO FROM A WHEEL!');
  });

  test('Django: collectstatic runs when STATIC_ROOT is set and the collected file is in the slug; DISABLE_COLLECTSTATIC=1 skips it', async () => {
    await create('py-django');
    const dir = await repo(djangoApp('body { color: teal }'));
    const r = await push(dir, 'py-django');
    assert.equal(r.code, 0, r.output);
    assert.match(r.output, /remote: -----> \$ python manage\.py collectstatic --noinput/);
    assert.match(r.output, /remote: {8}1 static file copied to '[^']*\/staticfiles'\./);
    await answers('py-django', 'django 4.2.99: body { color: teal }');

    assert.equal((await p.api('PATCH', '/apps/py-django/config-vars', { DISABLE_COLLECTSTATIC: '1' })).status, 200);
    await writeFile(join(dir, 'assets/css/site.css'), 'body { color: red }');
    await git(dir, 'commit', '-qam', 'red');
    const skipped = await push(dir, 'py-django');
    assert.equal(skipped.code, 0, skipped.output);
    assert.match(skipped.output, /remote: {8}DISABLE_COLLECTSTATIC=1: skipping collectstatic/);
    assert.doesNotMatch(skipped.output, /collectstatic --noinput|static files? copied/);
    await answers('py-django', 'django 4.2.99: no collected static files');
  });

  test('paas builds:cache:purge empties the app\'s build cache, after asking for --confirm', async () => {
    const app = (await p.api('GET', '/apps/py-django')).body;
    const cache = join(p.dataDir, 'cache', app.id);
    assert.ok(await stat(cache).catch(() => undefined), 'the Django app has a build cache');
    const cli = await PaasCli.create({ PAAS_API_URL: p.apiUrl, PAAS_API_KEY: p.apiKey, PAAS_DATA_DIR: p.dataDir });
    scratch.keep(cli.home);

    const unconfirmed = await cli.run(['builds:cache:purge', '-a', 'py-django']);
    assert.equal(unconfirmed.code, 2, unconfirmed.out);
    assert.match(unconfirmed.stderr, /paas builds:cache:purge -a py-django --confirm py-django/);
    assert.ok(await stat(cache).catch(() => undefined), 'nothing is purged without --confirm');

    const purged = await cli.run(['builds:cache:purge', '-a', 'py-django', '--confirm', 'py-django']);
    assert.equal(purged.code, 0, purged.out);
    assert.match(purged.stdout, /Build cache of py-django purged/);
    assert.equal(await stat(cache).catch(() => undefined), undefined, 'the cache directory is gone');

    const empty = await cli.run(['builds:cache:purge', '-a', 'py-django', '--confirm', 'py-django']);
    assert.equal(empty.code, 0, empty.out);
    assert.match(empty.stdout, /py-django had no build cache/);
    const missing = await cli.run(['builds:cache:purge', '-a', 'no-such-app', '--confirm', 'no-such-app']);
    assert.equal(missing.code, 1, missing.out);
  });
});
