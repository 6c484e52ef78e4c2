import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BuildError } from '../src/domain/build-error.js';
import { detect, listsPackages, type AppFiles } from '../src/domain/detect.js';

/** An AppFiles with these root names; the read files get their given contents. */
function tree(files: Record<string, string>): AppFiles {
  return {
    names: new Set(Object.keys(files)),
    procfile: files.Procfile,
    packageJson: files['package.json'],
    requirementsTxt: files['requirements.txt'],
  };
}

describe('buildpack detection', () => {
  test('given package.json with a start script and no dependencies, when detected, then Node with web: npm start and nothing to install', () => {
    const d = detect(tree({ 'package.json': JSON.stringify({ scripts: { start: 'node server.js' } }) }));
    assert.equal(d.buildpack, 'nodejs');
    assert.equal(d.label, 'Node.js');
    assert.deepEqual(d.defaultProcessTypes, { web: 'npm start' });
    assert.deepEqual(d.commands, []);
    assert.match(d.notes.join('\n'), /nothing to install/);
  });

  test('given package.json with dependencies, when detected, then npm install --omit=dev runs', () => {
    const d = detect(tree({ 'package.json': JSON.stringify({ dependencies: { express: '^5' } }) }));
    assert.deepEqual(d.commands.map((c) => c.argv), [['npm', 'install', '--omit=dev', '--no-audit', '--no-fund']]);
    assert.deepEqual(d.defaultProcessTypes, {}, 'no start script, no default web');
  });

  test('given package.json that is not JSON, when detected, then the build fails saying so', () => {
    assert.throws(() => detect(tree({ 'package.json': '{ nope' })), (e: BuildError) => e instanceof BuildError && /package\.json is not valid JSON/.test(e.message));
  });

  test('given an empty requirements.txt, when detected, then Python with nothing to install and no default web', () => {
    const d = detect(tree({ 'requirements.txt': '# nothing\n\n', 'app.py': '' }));
    assert.equal(d.buildpack, 'python');
    assert.deepEqual(d.commands, []);
    assert.deepEqual(d.files, []);
    assert.deepEqual(d.defaultProcessTypes, {});
  });

  test('given requirements.txt listing a package, when detected, then pip installs into the slug and a profile script sets PYTHONPATH from $HOME', () => {
    const d = detect(tree({ 'requirements.txt': 'flask==3.0\n' }));
    assert.deepEqual(d.commands[0].argv, ['python3', '-m', 'pip', 'install', '--target', '.heroku/python/site-packages', '-r', 'requirements.txt']);
    assert.equal(d.files[0].path, '.profile.d/python.sh');
    assert.match(d.files[0].content, /export PYTHONPATH="\$HOME\/\.heroku\/python\/site-packages/);
  });

  test('given a Django app (manage.py), when detected, then the default web runs the Django server on $PORT', () => {
    const d = detect(tree({ 'requirements.txt': '', 'manage.py': '' }));
    assert.deepEqual(d.defaultProcessTypes, { web: 'python manage.py runserver 0.0.0.0:$PORT' });
  });

  test('given only a pyproject.toml, when detected, then Python with a warning that nothing was installed', () => {
    const d = detect(tree({ 'pyproject.toml': '[project]\n', Procfile: 'web: python3 app.py' }));
    assert.equal(d.buildpack, 'python');
    assert.match(d.notes[0], /found pyproject\.toml but no requirements\.txt/);
  });

  test('given both package.json and requirements.txt, when detected, then Node wins (Heroku order)', () => {
    assert.equal(detect(tree({ 'package.json': '{}', 'requirements.txt': '' })).buildpack, 'nodejs');
  });

  test('given only a Procfile, when detected, then the procfile buildpack with nothing to install', () => {
    const d = detect(tree({ Procfile: 'web: ./run.sh', 'run.sh': '' }));
    assert.equal(d.buildpack, 'procfile');
    assert.deepEqual(d.commands, []);
  });

  test('given nothing detectable, when detected, then "App not compatible with any buildpack" with the files looked for', () => {
    assert.throws(() => detect(tree({ 'README.md': 'hi' })), (e: BuildError) => {
      assert.equal(e.message, 'App not compatible with any buildpack');
      assert.match(e.details.join('\n'), /Procfile, package\.json, requirements\.txt, setup\.py, Pipfile or pyproject\.toml/);
      return true;
    });
  });

  test('given an empty tree with a Dockerfile, when detected, then the failure says Docker builds come later', () => {
    assert.throws(() => detect(tree({ Dockerfile: 'FROM x' })), (e: BuildError) => /Found Dockerfile: Docker builds are not supported/.test(e.details.join('\n')));
  });

  test('listsPackages ignores comments and blank lines', () => {
    assert.equal(listsPackages('\n# pinned later\n   \n'), false);
    assert.equal(listsPackages('# web\nrequests\n'), true);
  });
});
