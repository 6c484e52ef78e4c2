import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BuildError } from '../src/domain/build-error.js';
import { detect, type AppFiles } from '../src/domain/detect.js';

/** An AppFiles with these root names; the read files get their given contents. */
function tree(files: Record<string, string>): AppFiles {
  return {
    names: new Set(Object.keys(files)),
    procfile: files.Procfile,
    packageJson: files['package.json'],
    requirementsTxt: files['requirements.txt'],
    herokuYml: files['heroku.yml'],
  };
}

const fails = (files: Record<string, string>, pattern: RegExp) =>
  assert.throws(() => detect(tree(files)), (e: BuildError) => e instanceof BuildError && pattern.test([e.message, ...e.details].join('\n')));

describe('buildpack detection', () => {
  test('given package.json with a start script, when detected, then Node with web: npm start', () => {
    const d = detect(tree({ 'package.json': JSON.stringify({ scripts: { start: 'node server.js' } }) }));
    assert.equal(d.buildpack, 'nodejs');
    assert.equal(d.label, 'Node.js');
    assert.deepEqual(d.defaultProcessTypes, { web: 'npm start' });
  });

  test('given package.json without a start script, when detected, then no default web', () => {
    assert.deepEqual(detect(tree({ 'package.json': JSON.stringify({ dependencies: { express: '^5' } }) })).defaultProcessTypes, {});
  });

  test('given package.json that is not JSON, when detected, then the build fails saying so', () => {
    fails({ 'package.json': '{ nope' }, /package\.json is not valid JSON/);
  });

  test('given each Python marker, when detected, then Python with the installer Heroku would use', () => {
    const installer = (files: Record<string, string>) => {
      const d = detect(tree(files));
      return d.buildpack === 'python' ? d.installer : d.buildpack;
    };
    assert.equal(installer({ 'requirements.txt': '' }), 'requirements.txt');
    assert.equal(installer({ 'Pipfile': '', 'Pipfile.lock': '{}' }), 'Pipfile.lock');
    assert.equal(installer({ 'pyproject.toml': '', 'poetry.lock': '' }), 'poetry.lock');
    assert.equal(installer({ 'pyproject.toml': '', 'uv.lock': '' }), 'uv.lock');
    assert.equal(installer({ 'setup.py': '' }), 'setup.py');
    assert.equal(installer({ 'requirements.txt': '', 'setup.py': '' }), 'requirements.txt');
  });

  test('given a Pipfile without its lock, when detected, then the build fails saying to run pipenv lock', () => {
    fails({ Pipfile: '' }, /Pipfile found without Pipfile\.lock[\s\S]*pipenv lock/);
  });

  test('given a pyproject.toml without a lock file, when detected, then it is not a Python app', () => {
    fails({ 'pyproject.toml': '[project]\n' }, /App not compatible with any buildpack/);
  });

  test('given a Django app (manage.py), when detected, then the default web runs the Django server on $PORT', () => {
    const d = detect(tree({ 'requirements.txt': '', 'manage.py': '' }));
    assert.deepEqual(d.defaultProcessTypes, { web: 'python manage.py runserver 0.0.0.0:$PORT' });
    assert.ok(d.buildpack === 'python' && d.django);
  });

  test('given both package.json and requirements.txt, when detected, then Node wins (Heroku order)', () => {
    assert.equal(detect(tree({ 'package.json': '{}', 'requirements.txt': '' })).buildpack, 'nodejs');
  });

  test('given heroku.yml with build.docker, when detected, then Docker wins over package.json', () => {
    const d = detect(tree({ 'heroku.yml': 'build:\n  docker:\n    web: Dockerfile\nrun:\n  web: node server.js\n', 'package.json': '{}' }));
    assert.equal(d.buildpack, 'docker');
    assert.ok(d.buildpack === 'docker' && d.herokuYml.build.web === 'Dockerfile' && d.herokuYml.run.web.command === 'node server.js');
  });

  test('given a root Dockerfile and no buildpack match, when detected, then Docker building web from it', () => {
    const d = detect(tree({ Dockerfile: 'FROM x', Procfile: 'web: x' }));
    assert.ok(d.buildpack === 'docker' && d.herokuYml.build.web === 'Dockerfile');
  });

  test('given only a Procfile, when detected, then the procfile buildpack', () => {
    assert.equal(detect(tree({ Procfile: 'web: ./run.sh', 'run.sh': '' })).buildpack, 'procfile');
  });

  test('given nothing detectable, when detected, then "App not compatible with any buildpack" with the files looked for', () => {
    assert.throws(() => detect(tree({ 'README.md': 'hi' })), (e: BuildError) => {
      assert.equal(e.message, 'App not compatible with any buildpack');
      assert.match(e.details.join('\n'), /heroku\.yml, package\.json, requirements\.txt, setup\.py, Pipfile, pyproject\.toml with poetry\.lock or uv\.lock, Dockerfile, Procfile/);
      return true;
    });
  });
});
