import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddonInfo, AddonServiceInfo } from '@paas/contracts';
import { describeLimits, presentAddon, presentAttachment, presentPlan } from '../src/addons/addon-presenters.js';

const service: AddonServiceInfo = {
  id: '6c67493d-8fc2-4cd4-9161-4f1ec11cbe69', name: 'heroku-postgresql', humanName: 'Heroku Postgres',
  plans: [{ id: '6b0e6a1e-6d3c-4f0a-9b57-8a6f5c1e0a01', name: 'heroku-postgresql:essential-0', humanName: 'Essential 0', description: 'Heroku Postgres Essential 0', priceCentsPerMonth: 0, default: true, limits: { connections: 20, storageGb: 1 } }],
};
const app = { id: '0f4e0000-0000-4000-8000-000000000001', name: 'myapp' };
const addon: AddonInfo = {
  id: '5d100000-0000-4000-8000-000000000001', name: 'postgresql-shaped-12345', app, service: { id: service.id, name: service.name },
  plan: { id: service.plans[0]!.id, name: service.plans[0]!.name }, state: 'provisioned', configVars: ['DATABASE_URL'], provisionMessage: null,
  createdAt: '2026-11-24T20:00:00.123Z', updatedAt: '2026-11-24T20:00:01.456Z',
};

describe('add-ons in Platform API v3 shapes', () => {
  test('an add-on carries what the CLI reads: service, plan with price, config vars, state, app', () => {
    const p = presentAddon(addon, [service]);
    assert.equal(p.addon_service.name, 'heroku-postgresql');
    assert.equal(p.addon_service.human_name, 'Heroku Postgres');
    assert.deepEqual(p.plan, { id: service.plans[0]!.id, name: 'heroku-postgresql:essential-0', human_name: 'Essential 0', price: { cents: 0, contract: false, unit: 'month' } });
    assert.deepEqual(p.config_vars, ['DATABASE_URL']);
    assert.equal(p.state, 'provisioned');
    assert.deepEqual(p.billing_entity, { ...app, type: 'app' });
    assert.equal(p.created_at, '2026-11-24T20:00:00Z');
  });

  test('a plan says its limits in words', () => {
    assert.equal(describeLimits({ connections: 20, storageGb: 1, memoryMb: 25 }), '20 connections, 1 GB storage, 25 MB memory');
    assert.equal(presentPlan(service, service.plans[0]!).description, 'Heroku Postgres Essential 0: 20 connections, 1 GB storage');
  });

  test('an attachment names its add-on and the add-on\'s app', () => {
    const t = presentAttachment({ id: '9a000000-0000-4000-8000-000000000001', name: 'DATABASE', app, addon: { id: addon.id, name: addon.name, app }, configVars: ['DATABASE_URL'], createdAt: addon.createdAt, updatedAt: addon.createdAt });
    assert.deepEqual(t.addon, { id: addon.id, name: addon.name, app });
    assert.equal(t.name, 'DATABASE');
  });
});
