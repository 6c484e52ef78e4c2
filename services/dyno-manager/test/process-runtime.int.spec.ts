import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Slug } from '@paas/contracts';
import { canSwitchUsers } from '@paas/isolation';
import { blobStoreFor } from '@paas/storage';
import { cleanup, freshDataDir, waitFor } from '@paas/testing';
import type { DynoOutput, DynoSpec } from '../src/adapters/runtime/driver.js';
import { ProcessDriver } from '../src/adapters/runtime/process-driver.js';
import { dynoDir, signalGroup, stopAllProcessDynos } from '../src/adapters/runtime/process-state.js';
import { runtimeContract } from './runtime-contract.js';
import { makeSlug } from './support.js';

runtimeContract('process driver', async () => {
  const dataDir = await freshDataDir('paas-rt-process-');
  return {
    dataDir,
    driver: () => new ProcessDriver({ dataDir, portMin: 20000, portMax: 29999, livenessPollMs: 100, appUsers: canSwitchUsers() }, blobStoreFor(dataDir)),
    killFromOutside: async (h) => { signalGroup(h.pid, 'SIGKILL'); },
    cleanup: async () => {
      await stopAllProcessDynos(dataDir);
      await cleanup({ dataDir });
    },
  };
});

describe('process driver: each app\'s dynos run as a user of their own, closed off from the platform and each other', { skip: canSwitchUsers() ? false : 'needs root to run dynos as other users' }, () => {
  let dataDir: string;
  let driver: ProcessDriver;
  const output: DynoOutput[] = [];
  const linesOf = (id: string) => output.filter((o) => o.id === id).map((o) => o.line);
  const spec = (appId: string, appName: string, slug: Slug, command: string): DynoSpec => ({
    id: `web-1-${randomBytes(4).toString('hex')}`, appId, appName, name: 'web.1', type: 'web', releaseVersion: 1, command, env: { SECRET: `secret of ${appName}` }, slug: slug.blob,
  });

  before(async () => {
    dataDir = await freshDataDir('paas-rt-users-');
    // What the platform keeps there, as the api and the builder make it.
    await writeFile(join(dataDir, 'api-key'), 'the-admin-key\n', { mode: 0o600 });
    await mkdir(join(dataDir, 'tls'), { mode: 0o700 });
    await writeFile(join(dataDir, 'tls', 'ca-key.pem'), 'the CA key\n', { mode: 0o600 });
    driver = new ProcessDriver({ dataDir, portMin: 20000, portMax: 29999, livenessPollMs: 100, appUsers: true }, blobStoreFor(dataDir));
    driver.onOutput((o) => output.push(o));
  });

  after(async () => {
    await stopAllProcessDynos(dataDir);
    await driver?.close();
    await cleanup({ dataDir });
  });

  test('a dyno tries to read the admin key, the CA key, another app\'s slug, directory and environment: all refused', async () => {
    const victimSlug = await makeSlug(dataDir, 'app-victim');
    const victim = await driver.start(spec('app-victim', 'victim', victimSlug, 'exec sleep 600'));
    const victimHome = join(dynoDir(dataDir, 'victim', victim.id), 'app');
    const attackerSlug = await makeSlug(dataDir, 'app-attacker');
    const tries = {
      'admin key': join(dataDir, 'api-key'),
      'CA key': join(dataDir, 'tls', 'ca-key.pem'),
      'victim slug': blobStoreFor(dataDir).localPath(victimSlug.blob),
      'victim home': join(victimHome, 'server.js'),
      'victim environment': `/proc/${victim.pid}/environ`,
    };
    const script = [
      'echo "uid=$(id -u) gid=$(id -g) groups=$(id -G)"',
      ...Object.entries(tries).map(([what, path]) => `if cat '${path}' >/dev/null 2>&1; then echo "${what}: read"; else echo "${what}: refused"; fi`),
      `if ls '${dataDir}' >/dev/null 2>&1; then echo "data dir: listed"; else echo "data dir: refused"; fi`,
      'echo "own home: $(cat "$HOME/server.js" >/dev/null && echo read)"',
      'echo done; exec sleep 600',
    ].join('; ');
    const a = await driver.start(spec('app-attacker', 'attacker', attackerSlug, script));
    await waitFor('the attacker\'s report', () => linesOf(a.id).includes('done'), { timeoutMs: 10_000 });
    const [ids, ...rest] = linesOf(a.id);
    const uid = Number(/uid=(\d+)/.exec(ids)?.[1]);
    assert.notEqual(uid, process.getuid!(), 'not the platform\'s user');
    assert.notEqual(uid, 0);
    assert.match(ids, new RegExp(`^uid=${uid} gid=${uid} groups=${uid}$`), 'its own group and no other');
    assert.deepEqual(rest, [
      'admin key: refused', 'CA key: refused', 'victim slug: refused', 'victim home: refused', 'victim environment: refused',
      'data dir: refused', 'own home: read', 'done',
    ]);
    const victimUid = (await stat(victimHome)).uid;
    assert.notEqual(victimUid, uid, 'two apps, two users');
    await driver.stop(a.id, 1000);
    await driver.stop(victim.id, 1000);
  });
});
