import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { PaasError } from '@paas/contracts';
import { herokuPostgresql } from '../src/adapters/addon-providers/heroku-postgresql.js';
import { PROVIDER_MODULES } from '../src/adapters/addon-providers/index.js';
import { colorName, resolvePlan } from '../src/domain/addon-catalogue.js';
import { apiLogLines } from '../src/domain/api-log-lines.js';
import type { AppCommand } from '../src/domain/decide.js';
import { create, deploy, given, OWNER, rollback, setConfig, slug, when } from './domain-fixtures.js';

const typed = (id: string, message?: RegExp) => (e: PaasError) => e.id === id && (!message || message.test(e.message));
const catalogue = PROVIDER_MODULES.map((m) => m.spec);
const PG = herokuPostgresql.spec.attach;
const ADDON = 'a0000000-0000-4000-8000-000000000001';
const URL_1 = 'postgres://u:secret@127.0.0.1:5432/d1';

const createAddon = (addonId = ADDON, name = 'postgresql-shaped-12345'): AppCommand =>
  ({ type: 'CreateAddon', addonId, name, service: 'heroku-postgresql', plan: 'essential-0', by: OWNER });
const complete = (addonId = ADDON, name?: string): AppCommand =>
  ({ type: 'CompleteAddon', addonId, url: URL_1, attach: { attachmentId: 'a1000000-0000-4000-8000-000000000001', name, attachSpec: PG }, by: OWNER });

describe('the add-on catalogue', () => {
  test('a service alone means its default plan; service:plan a named one', () => {
    assert.equal(resolvePlan(catalogue, 'heroku-postgresql').plan.name, 'essential-0');
    assert.equal(resolvePlan(catalogue, 'heroku-redis:premium-0').plan.name, 'premium-0');
  });

  test('an unknown service names the services; an unknown plan names the plans', () => {
    assert.throws(() => resolvePlan(catalogue, 'heroku-kafka'), typed('invalid_params', /Available services: heroku-postgresql, heroku-redis/));
    assert.throws(() => resolvePlan(catalogue, 'heroku-postgresql:xl'), typed('invalid_params', /no plan "xl"\. Its plans: essential-0, essential-1, essential-2, standard-0/));
  });

  test('color names are stable per add-on and skip taken ones', () => {
    const first = colorName('HEROKU_POSTGRESQL', ADDON, () => false);
    assert.equal(colorName('HEROKU_POSTGRESQL', ADDON, () => false), first);
    assert.notEqual(colorName('HEROKU_POSTGRESQL', ADDON, (n) => n === first), first);
  });
});

describe('provisioning an add-on on its app', () => {
  test('given an app, when an add-on is created, then AddonCreated (provisioning) and nothing else', () => {
    const events = when(given(create()), createAddon());
    assert.deepEqual(events.map((e) => e.type), ['AddonCreated']);
    assert.equal(given(create(), createAddon()).addons[0]!.state, 'provisioning');
  });

  test('given the add-on was recorded, when it is created again (a retry), then nothing new', () => {
    assert.deepEqual(when(given(create(), createAddon()), createAddon()), []);
  });

  test('when provisioning completes, then provisioned, attached as DATABASE plus a color alias, and a release "Attach DATABASE (@ref:...)"', () => {
    const events = when(given(create(), createAddon()), complete());
    assert.deepEqual(events.map((e) => e.type), ['AddonProvisioned', 'AddonAttached', 'ConfigVarsChanged', 'ReleaseCreated']);
    const attached = events[1]!.data as { name: string; configVars: string[] };
    assert.equal(attached.name, 'DATABASE');
    assert.match(attached.configVars[1]!, /^HEROKU_POSTGRESQL_[A-Z]+_URL$/);
    const release = events[3]!.data as { description: string; config: Record<string, string> };
    assert.equal(release.description, 'Attach DATABASE (@ref:postgresql-shaped-12345)');
    assert.equal(release.config.DATABASE_URL, URL_1);
  });

  test('when it completes a second time, then nothing new (provisioning is idempotent by add-on id)', () => {
    assert.deepEqual(when(given(create(), createAddon(), complete()), complete()), []);
  });

  test('a second database is attached under its color name, not DATABASE', () => {
    const second = 'a0000000-0000-4000-8000-000000000002';
    const events = when(given(create(), createAddon(), complete(), createAddon(second, 'postgresql-round-22222')), complete(second));
    assert.match((events[1]!.data as { name: string }).name, /^HEROKU_POSTGRESQL_[A-Z]+$/);
  });

  test('with DATABASE_URL set by hand, the add-on takes its color name; asking for DATABASE is refused, naming the var', () => {
    const state = given(create(), setConfig({ DATABASE_URL: 'x' }), createAddon());
    assert.match((when(state, complete())[1]!.data as { name: string }).name, /^HEROKU_POSTGRESQL_[A-Z]+$/);
    assert.throws(() => when(state, complete(ADDON, 'database')), typed('invalid_params', /DATABASE_URL is already set/));
  });

  test('when provisioning fails, then AddonDeprovisioned with the reason and no config change', () => {
    const events = when(given(create(), createAddon()), { type: 'FailAddon', addonId: ADDON, reason: 'server down', by: OWNER });
    assert.deepEqual(events, [{ type: 'AddonDeprovisioned', data: { appName: 'myapp', addonId: ADDON, name: 'postgresql-shaped-12345', reason: 'server down', by: OWNER } }]);
  });
});

describe('detaching and destroying', () => {
  test('destroying an add-on detaches it (a release without its vars) and deprovisions it', () => {
    const state = given(create(), createAddon(), complete());
    const events = when(state, { type: 'DestroyAddon', addonId: ADDON, by: OWNER });
    assert.deepEqual(events.map((e) => e.type), ['AddonDetached', 'ConfigVarsChanged', 'ReleaseCreated', 'AddonDeprovisioned']);
    assert.equal((events[2]!.data as { description: string }).description, 'Detach DATABASE (@ref:postgresql-shaped-12345)');
    assert.deepEqual((events[2]!.data as { config: Record<string, string> }).config, {});
  });

  test("detaching an add-on's only attachment to its own app is refused: destroy it instead", () => {
    const state = given(create(), createAddon(), complete());
    assert.throws(() => when(state, { type: 'DetachAddon', attachmentId: state.attachments[0]!.id, by: OWNER }), typed('illegal_state', /destroy the add-on instead/));
  });

  test('attaching another app\'s add-on shares it; detaching it removes its vars', () => {
    const shared = { id: ADDON, name: 'postgresql-shaped-12345', appId: 'a9999999-0000-4000-8000-000000000001', url: URL_1, attach: PG };
    const state = given(create('other'), { type: 'AttachAddon', attach: { attachmentId: 'a1000000-0000-4000-8000-000000000009', addon: shared }, by: OWNER });
    assert.equal(state.config.DATABASE_URL, URL_1);
    const events = when(state, { type: 'DetachAddon', attachmentId: 'a1000000-0000-4000-8000-000000000009', by: OWNER });
    assert.deepEqual((events.at(-1)!.data as { config: Record<string, string> }).config, {});
  });

  test('a rollback keeps the add-ons attached now', () => {
    const state = given(create(), deploy(slug({ web: 'x' })), createAddon(), complete());
    const [release] = when(state, rollback(2));
    assert.equal((release!.data as { config: Record<string, string> }).config.DATABASE_URL, URL_1);
  });
});

describe("add-on lines in the app's log", () => {
  test('a failed provisioning says why; a destroy says who', () => {
    assert.deepEqual(apiLogLines('AddonDeprovisioned', { name: 'postgresql-shaped-12345', reason: 'server down', by: OWNER }), ['postgresql-shaped-12345 could not be provisioned: server down']);
    assert.deepEqual(apiLogLines('AddonDeprovisioned', { name: 'postgresql-shaped-12345', reason: null, by: OWNER }), [`Destroy postgresql-shaped-12345 by user ${OWNER}`]);
  });
});
