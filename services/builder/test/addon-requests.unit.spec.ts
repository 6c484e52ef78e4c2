import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { requestedAddons } from '../src/domain/addon-requests.js';
import { detect, type AppFiles } from '../src/domain/detect.js';

const files = (names: string[], extra: Partial<AppFiles> = {}): AppFiles => ({ names: new Set(names), ...extra });
const asked = (f: AppFiles) => requestedAddons(f, detect(f));

describe('add-ons a build asks for on the first deploy', () => {
  test('a Django app (manage.py) asks for heroku-postgresql; a plain Python app asks for nothing', () => {
    assert.deepEqual(asked(files(['requirements.txt', 'manage.py'], { requirementsTxt: '' })), ['heroku-postgresql']);
    assert.deepEqual(asked(files(['requirements.txt'], { requirementsTxt: '' })), []);
  });

  test("app.json's addons come first, as strings or {plan}; a database it names replaces Django's default", () => {
    const appJson = JSON.stringify({ addons: ['heroku-redis', { plan: 'heroku-postgresql:essential-1', as: 'DATABASE' }] });
    assert.deepEqual(asked(files(['requirements.txt', 'manage.py', 'app.json'], { requirementsTxt: '', appJson })), ['heroku-redis', 'heroku-postgresql:essential-1']);
  });

  test('an app.json that is not JSON, or has no addons list, asks for nothing here (its own check reports it)', () => {
    const pkg = JSON.stringify({ name: 'x', scripts: { start: 'node x.js' } });
    assert.deepEqual(asked(files(['package.json', 'app.json'], { packageJson: pkg, appJson: '{nope' })), []);
    assert.deepEqual(asked(files(['package.json', 'app.json'], { packageJson: pkg, appJson: '{"addons": "heroku-redis"}' })), []);
  });
});
