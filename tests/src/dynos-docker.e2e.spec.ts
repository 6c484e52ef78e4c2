import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { removeDockerDynos } from '@paas/dyno-manager';
import { waitFor } from '@paas/testing';
import { git, nodeApp, pushUrl, pythonApp, Scratch } from './git.js';
import { Platform } from './platform.js';

interface Dyno { id: string; name: string; type: string; state: string; release: { version: number } }

/**
 * Requests through the router, one after another on each of `lanes` loops, until stopped;
 * counts the answers that were not 200 (a deploy must fail none).
 */
function load(p: Platform, app: string, lanes = 2) {
  let running = true;
  const failures: string[] = [];
  const bodies = new Set<string>();
  let count = 0;
  const lane = async () => {
    while (running) {
      const r = await p.viaRouter(app).catch((err: Error) => ({ status: 0, body: err.message }));
      count++;
      if (r.status !== 200) failures.push(`${r.status} ${r.body.slice(0, 120)}`);
      else bodies.add(r.body);
    }
  };
  const done = Promise.all(Array.from({ length: lanes }, lane));
  return {
    bodies,
    count: () => count,
    async stop() {
      running = false;
      await done;
      return { count, failures };
    },
  };
}

describe('dynos as Docker containers, through the five services', () => {
  let p: Platform;
  const scratch = new Scratch();
  const repo = (files: Record<string, string>) => scratch.repo(files);
  const dynos = async (app: string) => (await p.api('GET', `/apps/${app}/dynos`)).body as Dyno[];
  const upWeb = (app: string, n: number, version?: number) => waitFor(`${n} web dynos of ${app} up`, async () => {
    const all = (await dynos(app)).filter((d) => d.type === 'web');
    const up = all.filter((d) => d.state === 'up' && (version === undefined || d.release.version === version));
    return all.length === n && up.length === n ? up.sort((a, b) => a.name.localeCompare(b.name)) : undefined;
  }, { timeoutMs: 60_000 });

  before(async () => {
    p = await Platform.start({ PAAS_RUNTIME: 'docker', PAAS_DYNO_STOP_GRACE_MS: '3000', PAAS_ROUTE_DRAIN_MS: '500' });
  });

  after(async () => {
    const namespace = p?.namespace;
    await p?.stop();
    if (namespace) await removeDockerDynos(namespace);
    await scratch.remove();
  });

  test('a Node app pushed with git runs in a container and answers through the router; scaled to 2', async () => {
    assert.equal((await p.api('POST', '/apps', { name: 'dock-node' })).status, 201);
    const dir = await repo({ ...nodeApp, Procfile: 'web: node server.js\n' });
    const push = await git(dir, 'push', pushUrl(p.apiUrl, p.apiKey, 'dock-node'), 'main');
    assert.equal(push.code, 0, push.output);
    const first = await waitFor('the app through the router', async () => {
      const r = await p.viaRouter('dock-node');
      return r.status === 200 ? r : undefined;
    }, { timeoutMs: 60_000 });
    assert.equal(first.body, 'node says hello from web.1');
    const scaled = await p.api('PATCH', '/apps/dock-node/formation', { updates: [{ type: 'web', quantity: 2 }] });
    assert.equal(scaled.status, 200);
    await upWeb('dock-node', 2);
    const seen = await waitFor('both dynos answering through the router', async () => {
      const bodies = new Set<string>();
      for (let i = 0; i < 10; i++) bodies.add((await p.viaRouter('dock-node')).body);
      return bodies.size === 2 ? [...bodies].sort() : undefined;
    });
    assert.deepEqual(seen, ['node says hello from web.1', 'node says hello from web.2']);
  });

  test('zero downtime: no request through the router fails during a redeploy and a config change', async () => {
    const traffic = load(p, 'dock-node');
    try {
      const dir = scratch.dirs[0];
      await writeFile(join(dir, 'server.js'), nodeApp['server.js'].replace("'node says '", "'node v2 says '"));
      assert.equal((await git(dir, 'commit', '-qam', 'v2')).code, 0);
      const push = await git(dir, 'push', pushUrl(p.apiUrl, p.apiKey, 'dock-node'), 'main');
      assert.equal(push.code, 0, push.output);
      await waitFor('the new code served', () => traffic.bodies.has('node v2 says hello from web.1') && traffic.bodies.has('node v2 says hello from web.2'), { timeoutMs: 60_000 });
      await upWeb('dock-node', 2, 3);
      assert.equal((await p.api('PATCH', '/apps/dock-node/config-vars', { GREETING: 'hej' })).status, 200);
      await waitFor('the config change served', () => traffic.bodies.has('node v2 says hej from web.1') && traffic.bodies.has('node v2 says hej from web.2'), { timeoutMs: 60_000 });
      await upWeb('dock-node', 2, 4);
    } finally {
      const { count, failures } = await traffic.stop();
      assert.deepEqual(failures, [], `${failures.length} of ${count} requests failed`);
      assert.ok(count > 50, `${count} requests sent`);
    }
  });

  test('ps:restart of one dyno, of a type and of all, and ps:stop of one, each replace the dynos they name', async () => {
    const ids = async () => new Map((await upWeb('dock-node', 2)).map((d) => [d.name, d.id]));
    let before = await ids();
    assert.equal((await p.api('DELETE', '/apps/dock-node/dynos/web.1')).status, 202);
    let now = await waitFor('web.1 replaced', async () => {
      const m = await ids();
      return m.get('web.1') !== before.get('web.1') ? m : undefined;
    });
    assert.equal(now.get('web.2'), before.get('web.2'), 'web.2 untouched');

    for (const path of ['/apps/dock-node/formations/web', '/apps/dock-node/dynos']) {
      before = now;
      assert.equal((await p.api('DELETE', path)).status, 202);
      now = await waitFor(`both replaced after DELETE ${path}`, async () => {
        const m = await ids();
        return m.get('web.1') !== before.get('web.1') && m.get('web.2') !== before.get('web.2') ? m : undefined;
      });
    }

    before = now;
    assert.equal((await p.api('POST', '/apps/dock-node/dynos/web.2/actions/stop')).status, 202);
    now = await waitFor('web.2 stopped and started again (the formation wants it)', async () => {
      const m = await ids();
      return m.get('web.2') !== before.get('web.2') ? m : undefined;
    });
    assert.equal(now.get('web.1'), before.get('web.1'));
    assert.equal((await p.viaRouter('dock-node')).status, 200);
  });

  test('a Python app runs in the stack image too', async () => {
    assert.equal((await p.api('POST', '/apps', { name: 'dock-py' })).status, 201);
    const dir = await repo(pythonApp);
    const push = await git(dir, 'push', pushUrl(p.apiUrl, p.apiKey, 'dock-py'), 'main');
    assert.equal(push.code, 0, push.output);
    const r = await waitFor('the python app through the router', async () => {
      const x = await p.viaRouter('dock-py');
      return x.status === 200 ? x : undefined;
    }, { timeoutMs: 60_000 });
    assert.equal(r.body, 'python says hello');
  });
});
