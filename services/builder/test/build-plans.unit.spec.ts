import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { describeAppJson, parseAppJson } from '../src/domain/app-json.js';
import { BuildError } from '../src/domain/build-error.js';
import { baseImagesOf, parseHerokuYml } from '../src/domain/heroku-yml.js';
import { buildScriptOf, checkNodeEngine, installCommand, packageManagerOf, shouldPrune } from '../src/domain/node-plan.js';
import { pipfileLockRequirements, poetryLockRequirements, uvLockRequirements } from '../src/domain/python-locks.js';
import { pickInterpreter, requestedPython } from '../src/domain/python-plan.js';
import { slugIgnoreMatcher } from '../src/domain/slugignore.js';

const failsWith = (fn: () => unknown, pattern: RegExp) =>
  assert.throws(fn, (e: BuildError) => e instanceof BuildError && pattern.test([e.message, ...e.details].join('\n')));

const stack = [{ version: '3.11.7', path: '/p/3.11' }, { version: '3.12.1', path: '/p/3.12' }, { version: '3.13.0', path: '/p/3.13' }];

describe('Python version', () => {
  test('.python-version wins over runtime.txt; major.minor picks the newest of the series', () => {
    const r = requestedPython({ pythonVersion: '# pinned\n3.12\n', runtimeTxt: 'python-3.11.2' });
    assert.deepEqual(r, { version: '3.12', source: '.python-version' });
    assert.equal(pickInterpreter(r, stack).interpreter.path, '/p/3.12');
  });

  test('runtime.txt python-3.11.2 maps to the 3.11 on the stack with a note; no request takes the newest', () => {
    const picked = pickInterpreter(requestedPython({ runtimeTxt: 'python-3.11.2\n' }), stack);
    assert.equal(picked.interpreter.version, '3.11.7');
    assert.match(picked.notes[0], /3\.11\.2 is not on this stack: using 3\.11\.7/);
    assert.equal(pickInterpreter(undefined, stack).interpreter.version, '3.13.0');
  });

  test('without .python-version or runtime.txt, Pipfile.lock\'s _meta.requires says which Python', () => {
    const lock = JSON.stringify({ _meta: { requires: { python_version: '3.11' } }, default: {} });
    assert.deepEqual(requestedPython({ pipfileLock: lock }), { version: '3.11', source: 'Pipfile.lock' });
    assert.deepEqual(requestedPython({ runtimeTxt: 'python-3.12.1', pipfileLock: lock }), { version: '3.12.1', source: 'runtime.txt' });
    assert.equal(requestedPython({ pipfileLock: '{}' }), undefined);
  });

  test('a version the stack lacks fails naming the versions available; a malformed one says what to write', () => {
    failsWith(() => pickInterpreter({ version: '3.9', source: '.python-version' }, stack), /Python 3\.9 \(from \.python-version\) is not available[\s\S]*Versions available: 3\.13\.0, 3\.12\.1, 3\.11\.7/);
    failsWith(() => requestedPython({ runtimeTxt: 'ruby-3.2' }), /expected a version such as python-3\.12\.1/);
    failsWith(() => requestedPython({ pythonVersion: 'latest' }), /not a Python 3 version/);
  });
});

describe('lock files as pinned requirements', () => {
  test('Pipfile.lock: the default section, pinned, with markers and hashes; develop stays out', () => {
    const lock = JSON.stringify({
      default: { flask: { version: '==3.0.0', hashes: ['sha256:aa'] }, colorama: { version: '==0.4.6', markers: "sys_platform == 'win32'" } },
      develop: { pytest: { version: '==8.0.0' } },
    });
    assert.deepEqual(pipfileLockRequirements(lock), ['flask==3.0.0 --hash=sha256:aa', "colorama==0.4.6 ; sys_platform == 'win32'"]);
    failsWith(() => pipfileLockRequirements(JSON.stringify({ default: { x: { git: 'https://x' } } })), /comes from a VCS or a path/);
  });

  test('poetry.lock: main group only (poetry 1 category and poetry 2 groups)', () => {
    const lock = '[[package]]\nname = "a"\nversion = "1.0"\ncategory = "main"\n\n[[package]]\nname = "b"\nversion = "2.0"\ncategory = "dev"\n\n[[package]]\nname = "c"\nversion = "3.0"\ngroups = ["main", "dev"]\n';
    assert.deepEqual(poetryLockRequirements(lock), ['a==1.0', 'c==3.0']);
  });

  test('poetry.lock: the sha256 of each locked file becomes --hash; poetry 1.5-1.8 locks (no groups) take what pyproject.toml reaches', () => {
    const lock = [
      '[[package]]', 'name = "a"', 'version = "1.0"', 'files = [', '  {file = "a-1.0-py3-none-any.whl", hash = "sha256:aa"},', '  {file = "a-1.0.tar.gz", hash = "sha256:ab"},', ']',
      '[package.dependencies]', 'b = {version = "2.0", markers = "sys_platform == \'linux\'"}', 'C_Pkg = "3.0"',
      '[[package]]', 'name = "b"', 'version = "2.0"', 'files = [{file = "b-2.0-py3-none-any.whl", hash = "sha256:bb"}]',
      '[[package]]', 'name = "c-pkg"', 'version = "3.0"', 'files = []',
      '[[package]]', 'name = "pytest"', 'version = "8.0"', 'files = [{file = "pytest-8.0-py3-none-any.whl", hash = "sha256:cc"}]', '',
    ].join('\n');
    const pyproject = '[tool.poetry.dependencies]\npython = "^3.11"\na = "1.0"\n\n[tool.poetry.group.dev.dependencies]\npytest = "^8"\n';
    assert.deepEqual(poetryLockRequirements(lock, pyproject), ['a==1.0 --hash=sha256:aa --hash=sha256:ab', "b==2.0 ; sys_platform == 'linux' --hash=sha256:bb", 'c-pkg==3.0']);
    assert.deepEqual(poetryLockRequirements(lock, '[project]\ndependencies = ["b (>=2.0)"]\n'), ['b==2.0 --hash=sha256:bb'], 'poetry 2 [project] dependencies');
    failsWith(() => poetryLockRequirements(lock, '[tool.poetry.dependencies]\nmissing = "1"\n'), /dependency "missing" of pyproject\.toml is not in the lock/);
    const extras = [
      '[[package]]', 'name = "web"', 'version = "1.0"', 'files = []', '[package.dependencies]', 'fast = {version = "1.0", optional = true}', 'slow = {version = "1.0", optional = true}',
      '[package.extras]', 'speed = ["fast (>=1.0)"]',
      '[[package]]', 'name = "fast"', 'version = "1.0"', 'files = []', '[[package]]', 'name = "slow"', 'version = "1.0"', 'files = []', '',
    ].join('\n');
    assert.deepEqual(poetryLockRequirements(extras, '[tool.poetry.dependencies]\nweb = "1.0"\n'), ['web==1.0'], 'optional dependencies stay out');
    assert.deepEqual(poetryLockRequirements(extras, '[tool.poetry.dependencies]\nweb = {version = "1.0", extras = ["speed"]}\n'), ['web==1.0', 'fast==1.0'], 'an extra asked for brings its dependencies');
  });

  test('uv.lock: the sha256 of the locked wheels and sdist become --hash', () => {
    const lock = [
      '[[package]]', 'name = "app"', 'version = "0.1"', 'source = { editable = "." }', 'dependencies = [{ name = "a" }]',
      '[[package]]', 'name = "a"', 'version = "1.0"', 'source = { registry = "https://pypi.org/simple" }',
      'sdist = { url = "https://x/a-1.0.tar.gz", hash = "sha256:a0", size = 10 }',
      'wheels = [{ url = "https://x/a-1.0-py3-none-any.whl", hash = "sha256:a1", size = 9 }]', '',
    ].join('\n');
    assert.deepEqual(uvLockRequirements(lock), ['a==1.0 --hash=sha256:a1 --hash=sha256:a0']);
  });

  test('uv.lock: what the project depends on, transitively, not its dev group', () => {
    const lock = [
      '[[package]]', 'name = "app"', 'version = "0.1"', 'source = { virtual = "." }', 'dependencies = [{ name = "a" }]',
      '[package.dev-dependencies]', 'dev = [{ name = "pytest" }]',
      '[[package]]', 'name = "a"', 'version = "1.0"', 'source = { registry = "https://pypi.org/simple" }', 'dependencies = [{ name = "b", marker = "python_version < \'3.12\'" }]',
      '[[package]]', 'name = "b"', 'version = "2.0"', 'source = { registry = "https://pypi.org/simple" }',
      '[[package]]', 'name = "pytest"', 'version = "8.0"', 'source = { registry = "https://pypi.org/simple" }', '',
    ].join('\n');
    assert.deepEqual(uvLockRequirements(lock), ['a==1.0', "b==2.0 ; python_version < '3.12'"]);
  });
});

describe('Node plan', () => {
  test('engines.node is checked against the stack node, failing with the version available', () => {
    assert.match(checkNodeEngine({ engines: { node: '>=18' } }, '20.20.2'), /using the stack's Node 20\.20\.2/);
    failsWith(() => checkNodeEngine({ engines: { node: '14.x' } }, '20.20.2'), /asks for "14\.x"[\s\S]*Versions available: 20\.20\.2/);
    failsWith(() => checkNodeEngine({ engines: { node: 'banana' } }, '20.20.2'), /not a version range/);
  });

  test('the lock file picks the tool and npm ci vs npm install; heroku-postbuild replaces build', () => {
    assert.deepEqual(packageManagerOf(new Set(['package-lock.json'])), { tool: 'npm', lock: 'package-lock.json' });
    assert.deepEqual(packageManagerOf(new Set(['yarn.lock'])).tool, 'yarn');
    assert.deepEqual(packageManagerOf(new Set(['pnpm-lock.yaml'])).tool, 'pnpm');
    assert.deepEqual(installCommand('npm', 'package-lock.json', false, false).slice(0, 2), ['npm', 'ci']);
    assert.deepEqual(installCommand('npm', undefined, false, false).slice(0, 2), ['npm', 'install']);
    assert.ok(installCommand('npm', undefined, true, false).includes('--omit=dev'));
    assert.deepEqual(installCommand('pnpm', 'pnpm-lock.yaml', false, false).slice(0, 4), ['corepack', 'pnpm', 'install', '--frozen-lockfile']);
    assert.equal(buildScriptOf({ scripts: { build: 'a', 'heroku-postbuild': 'b' } }), 'heroku-postbuild');
    assert.equal(buildScriptOf({ scripts: { build: 'a' } }), 'build');
    assert.equal(buildScriptOf({}), undefined);
  });

  test('devDependencies are pruned unless NPM_CONFIG_PRODUCTION=false or NODE_ENV is not production', () => {
    const pkg = { devDependencies: { typescript: '5' } };
    assert.equal(shouldPrune(pkg, {}), true);
    assert.equal(shouldPrune(pkg, { NPM_CONFIG_PRODUCTION: 'false' }), false);
    assert.equal(shouldPrune(pkg, { NODE_ENV: 'development' }), false);
    assert.equal(shouldPrune({}, {}), false);
  });
});

describe('heroku.yml, app.json, .slugignore', () => {
  test('heroku.yml: build.docker and run entries (string or command list); bad shapes name the key', () => {
    const y = parseHerokuYml('build:\n  docker:\n    web: Dockerfile\n    worker: worker/Dockerfile\nrun:\n  web: bundle exec puma\n  worker:\n    command: ["python", "w.py"]\n    image: worker\n');
    assert.deepEqual(y.build, { web: 'Dockerfile', worker: 'worker/Dockerfile' });
    assert.deepEqual(y.run.worker, { command: 'python w.py', image: 'worker' });
    failsWith(() => parseHerokuYml('build:\n  docker:\n    web: ../Dockerfile\n'), /build\.docker\.web: "\.\.\/Dockerfile" is outside the app/);
    failsWith(() => parseHerokuYml('build: [1'), /heroku\.yml: not valid YAML/);
  });

  test('base images: stage aliases, scratch and ARGs are not images to look for', () => {
    assert.deepEqual(baseImagesOf('FROM paas/stack:bookworm AS build\nRUN x\nFROM build\nFROM scratch\nFROM $BASE\nFROM --platform=linux/amd64 other:1\n'), ['paas/stack:bookworm', 'other:1']);
  });

  test('app.json: valid files pass with their formation shown; a wrong field is named', () => {
    const a = parseAppJson(JSON.stringify({ name: 'x', env: { SECRET: { generator: 'secret' }, A: 'b' }, formation: { web: { quantity: 2, size: 'basic' } }, scripts: { postdeploy: 'x' } }));
    assert.deepEqual(describeAppJson(a, { web: 'x' }), ['app.json (x) is valid', 'Formation default: web=2:basic']);
    failsWith(() => parseAppJson(JSON.stringify({ formation: { web: { quantity: -1 } } })), /app\.json: formation\.web\.quantity/);
    failsWith(() => parseAppJson(JSON.stringify({ env: { A: { generator: 'uuid' } } })), /app\.json: env\.A/);
    failsWith(() => parseAppJson('{'), /app\.json is not valid JSON/);
  });

  test('.slugignore: gitignore-style patterns, comments ignored', () => {
    const ignored = slugIgnoreMatcher('# big things\n*.psd\n/docs\ntest/\n');
    assert.equal(ignored('art/logo.psd'), true);
    assert.equal(ignored('docs/'), true);
    assert.equal(ignored('src/docs/'), false);
    assert.equal(ignored('test/'), true);
    assert.equal(ignored('server.js'), false);
  });
});
