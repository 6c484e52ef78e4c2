import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAppJson } from '@paas/procfile';
import { presentTemplate, resolveSetupEnv } from '../src/domain/app-setup-env.js';

let n = 0;
const secret = () => `secret-${++n}`;

describe('app setup env: app.json env against overrides', () => {
  test('given plain values, defaults and a secret generator, when nothing is overridden, then defaults apply and the secret is made', () => {
    const r = resolveSetupEnv({ PLAIN: 'p', WITH_DEFAULT: { value: 'd', description: 'x' }, SECRET: { generator: 'secret' } }, {}, () => 'f'.repeat(64));
    assert.deepEqual(r, { ok: true, config: { PLAIN: 'p', WITH_DEFAULT: 'd', SECRET: 'f'.repeat(64) }, generated: ['SECRET'] });
  });

  test('given required entries without a value, when some are not overridden, then every missing name is reported and nothing resolves', () => {
    const r = resolveSetupEnv({ A: { description: 'needed' }, B: { required: true }, C: { required: false }, D: { description: 'x' } }, { D: 'given' }, secret);
    assert.deepEqual(r, { ok: false, missing: ['A', 'B'] });
  });

  test('given an empty override of a required entry, then it counts as missing', () => {
    assert.deepEqual(resolveSetupEnv({ A: { required: true } }, { A: '' }, secret), { ok: false, missing: ['A'] });
  });

  test('given overrides, then they win over plain values, defaults and generators; undeclared ones are set too', () => {
    const r = resolveSetupEnv({ PLAIN: 'p', D: { value: 'd' }, S: { generator: 'secret' } }, { PLAIN: 'o1', D: 'o2', S: 'mine', EXTRA: 'e' }, secret);
    assert.deepEqual(r, { ok: true, config: { PLAIN: 'o1', D: 'o2', S: 'mine', EXTRA: 'e' }, generated: [] });
  });

  test('given no env at all, then overrides alone are the config', () => {
    assert.deepEqual(resolveSetupEnv(undefined, { X: '1' }, secret), { ok: true, config: { X: '1' }, generated: [] });
  });

  test('given app.json env, then the page gets one field each with required, generated and default marked', () => {
    const parsed = parseAppJson(JSON.stringify({
      name: 'n', logo: 'javascript:alert(1)', website: 'https://example.com/', repository: 'http://example.com/r',
      env: { A: { description: 'needed' }, S: { generator: 'secret', description: 'made' }, D: { value: 'dv' }, P: 'pv', O: { required: false } },
      addons: ['heroku-postgresql', { plan: 'heroku-redis:mini' }],
    }));
    assert.ok(parsed.ok);
    const t = presentTemplate(parsed.appJson);
    assert.equal(t.logo, null, 'a javascript: logo is never shown');
    assert.equal(t.website, 'https://example.com/');
    assert.deepEqual(t.addons, ['heroku-postgresql', 'heroku-redis:mini']);
    assert.deepEqual(t.env.map((f) => [f.name, f.required, f.generated, f.value]), [
      ['A', true, false, null], ['S', false, true, null], ['D', false, false, 'dv'], ['P', false, false, 'pv'], ['O', false, false, null],
    ]);
  });

  test('given a wrong app.json, then the parser names the field', () => {
    assert.match((parseAppJson(JSON.stringify({ env: { A: { generator: 'uuid' } } })) as { error: string }).error, /^app\.json: env\.A/);
    assert.match((parseAppJson('{') as { error: string }).error, /app\.json is not valid JSON/);
    assert.match((parseAppJson(JSON.stringify({ addons: [{ nope: 1 }] })) as { error: string }).error, /^app\.json: addons\.0/);
  });
});
