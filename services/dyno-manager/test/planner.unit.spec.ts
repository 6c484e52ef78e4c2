import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FormationEntry } from '@paas/contracts';
import type { DesiredApp } from '../src/domain/desired-state.js';
import type { ActualDyno, LiveState } from '../src/domain/dyno.js';
import { planApp, type Action } from '../src/domain/planner.js';

const NOW = 1_000_000;
const blob = { key: 'slugs/a/b.tgz', checksum: `sha256:${'0'.repeat(64)}`, size: 1 };

function app(version: number, formation: Record<string, number>, processTypes: Record<string, string> | null = { web: 'node server.js', worker: 'node worker.js' }): DesiredApp {
  const entries: FormationEntry[] = Object.entries(formation).map(([type, quantity]) => ({ type, quantity, size: 'basic' }));
  return {
    appId: '00000000-0000-4000-8000-000000000001', appName: 'myapp', destroyed: false, formation: entries, formationVersion: 3, routing: { maintenance: false, domains: [], version: 0 },
    release: { version, config: {}, slug: processTypes ? { id: 's', blob, processTypes } : null },
  };
}

function dyno(name: string, releaseVersion: number, state: LiveState = 'up', restartAt: number | null = null): ActualDyno {
  return { id: `${name.replace('.', '-')}-v${releaseVersion}`, name, type: name.split('.')[0], releaseVersion, state, restartAt };
}

const starts = (actions: readonly Action[]) => actions.flatMap((a) => (a.kind === 'start' ? [`${a.name}@v${a.releaseVersion}`] : [])).sort();
const stops = (actions: readonly Action[]) => actions.flatMap((a) => (a.kind === 'stop' ? [a.dynoId] : [])).sort();
const restarts = (actions: readonly Action[]) => actions.flatMap((a) => (a.kind === 'restart' ? [a.dynoId] : []));

describe('planApp', () => {
  test('given web=2 and nothing running, when planned, then web.1 and web.2 start on the current release', () => {
    const plan = planApp(app(2, { web: 2 }), [], NOW);
    assert.deepEqual(starts(plan.actions), ['web.1@v2', 'web.2@v2']);
    assert.deepEqual(stops(plan.actions), []);
    const start = plan.actions.find((a) => a.kind === 'start');
    assert.deepEqual(start && start.kind === 'start' && [start.type, start.command, start.size], ['web', 'node server.js', 'basic']);
  });

  test('given web=1 running, when scaled to 3, then only web.2 and web.3 start', () => {
    const plan = planApp(app(2, { web: 3 }), [dyno('web.1', 2)], NOW);
    assert.deepEqual(starts(plan.actions), ['web.2@v2', 'web.3@v2']);
    assert.deepEqual(stops(plan.actions), []);
  });

  test('given three web dynos, when scaled to 1, then the extra ones stop', () => {
    const plan = planApp(app(2, { web: 1 }), [dyno('web.1', 2), dyno('web.2', 2), dyno('web.3', 2)], NOW);
    assert.deepEqual(starts(plan.actions), []);
    assert.deepEqual(stops(plan.actions), ['web-2-v2', 'web-3-v2']);
    assert.match((plan.actions[0] as { reason: string }).reason, /scaled down/);
  });

  test('given quantity 0, when planned, then every dyno of the type stops and nothing starts', () => {
    const plan = planApp(app(2, { web: 0, worker: 1 }), [dyno('web.1', 2), dyno('worker.1', 2)], NOW);
    assert.deepEqual(stops(plan.actions), ['web-1-v2']);
    assert.deepEqual(starts(plan.actions), []);
  });

  test('given a new release, when its web dyno is not up yet, then the old one keeps running', () => {
    const before = planApp(app(3, { web: 1 }), [dyno('web.1', 2)], NOW);
    assert.deepEqual(starts(before.actions), ['web.1@v3']);
    assert.deepEqual(stops(before.actions), [], 'the old web.1 serves until the new one is up');

    const starting = planApp(app(3, { web: 1 }), [dyno('web.1', 2), dyno('web.1', 3, 'starting')], NOW);
    assert.deepEqual(starting.actions, []);

    const crashed = planApp(app(3, { web: 1 }), [dyno('web.1', 2), dyno('web.1', 3, 'crashed', NOW + 5000)], NOW);
    assert.deepEqual(crashed.actions, [], 'a crashing new release does not take the old one down');
    assert.equal(crashed.wakeAt, NOW + 5000);
  });

  test('given a new release, when its web dyno is up, then the old instance of the same name stops', () => {
    const plan = planApp(app(3, { web: 2 }), [dyno('web.1', 2), dyno('web.2', 2), dyno('web.1', 3), dyno('web.2', 3, 'starting')], NOW);
    assert.deepEqual(stops(plan.actions), ['web-1-v2']);
    assert.deepEqual(starts(plan.actions), []);
  });

  test('given a type missing from the release, when planned, then it is not run and running ones stop', () => {
    const plan = planApp(app(4, { web: 1, worker: 2 }, { web: 'node server.js' }), [dyno('worker.1', 3)], NOW);
    assert.deepEqual(starts(plan.actions), ['web.1@v4']);
    assert.deepEqual(stops(plan.actions), ['worker-1-v3']);
    assert.match((plan.actions.find((a) => a.kind === 'stop') as { reason: string }).reason, /not in release v4/);
  });

  test('given release v1 without a slug, when planned, then nothing runs', () => {
    assert.deepEqual(planApp(app(1, { web: 1 }, null), [], NOW).actions, []);
  });

  test('given a destroyed app or an unknown one, when planned, then all of its dynos stop', () => {
    const running = [dyno('web.1', 2), dyno('worker.1', 2, 'crashed')];
    const destroyed = planApp({ ...app(2, { web: 1, worker: 1 }), destroyed: true }, running, NOW);
    assert.deepEqual(stops(destroyed.actions), ['web-1-v2', 'worker-1-v2']);
    assert.deepEqual(starts(destroyed.actions), []);
    assert.match((destroyed.actions[0] as { reason: string }).reason, /app destroyed/);
    assert.deepEqual(stops(planApp(undefined, running, NOW).actions), ['web-1-v2', 'worker-1-v2']);
  });

  test('given a crashed dyno, when its back-off is over, then it is restarted; before that, planned again later', () => {
    assert.deepEqual(restarts(planApp(app(2, { worker: 1 }), [dyno('worker.1', 2, 'crashed', NOW)], NOW).actions), ['worker-1-v2']);
    const waiting = planApp(app(2, { worker: 1 }), [dyno('worker.1', 2, 'crashed', NOW + 100)], NOW);
    assert.deepEqual(waiting.actions, []);
    assert.equal(waiting.wakeAt, NOW + 100);
  });

  test('given two instances of one name on the current release, when planned, then the one not up stops', () => {
    const plan = planApp(app(2, { web: 1 }), [{ ...dyno('web.1', 2, 'starting'), id: 'web-1-b' }, { ...dyno('web.1', 2), id: 'web-1-a' }], NOW);
    assert.deepEqual(stops(plan.actions), ['web-1-b']);
  });
});
