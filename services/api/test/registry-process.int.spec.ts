import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { access } from 'node:fs/promises';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { writeFile } from 'node:fs/promises';
import { importX509, jwtVerify } from 'jose';
import { readFile } from 'node:fs/promises';
import { cleanup, freePort, freshDataDir, waitFor } from '@paas/testing';
import { apiSettingsFromEnv } from '../src/config.js';
import { registryConfig } from '../src/domain/registry-token.js';
import { ensureRegistryKeys } from '../src/registry/registry-keys.js';
import { RegistryProcess } from '../src/registry/registry-process.js';
import { RegistryService } from '../src/registry/registry.service.js';

const BINARY = '/usr/bin/docker-registry';
const skip = await access(BINARY).then(() => undefined, () => 'docker-registry is not installed');
const quiet = { log: () => undefined, warn: () => undefined, debug: () => undefined };

/** A registry config in a fresh data dir, as the api writes it. */
async function prepared(port: number) {
  const dataDir = await freshDataDir('paas-registry-');
  const keys = await ensureRegistryKeys(dataDir);
  const configPath = join(keys.dir, 'config.yml');
  const config = registryConfig({ dataDir: join(keys.dir, 'data'), port, realm: 'http://127.0.0.1:1/registry/token', party: { issuer: 'i', service: 's' }, certPath: keys.certPath, instanceId: keys.instanceId });
  await writeFile(configPath, JSON.stringify(config));
  return { dataDir, keys, options: { binary: BINARY, configPath, port, instanceId: keys.instanceId, log: quiet } };
}

describe('the registry as a supervised child of the api', { skip }, () => {
  test('it starts and answers; killed, it is started again; a second api on the same data dir uses it and takes over when it goes', async (t) => {
    const { dataDir, options } = await prepared(await freePort());
    const first = new RegistryProcess(options);
    const second = new RegistryProcess(options);
    t.after(async () => {
      await first.stop();
      await second.stop();
      await cleanup({ dataDir });
    });
    await first.start();
    assert.ok(await first.probe());
    const pid = first.pid!;
    assert.ok(pid > 0);

    await second.start();
    assert.equal(second.pid, undefined, 'the second api runs no registry of its own');

    process.kill(pid, 'SIGKILL');
    await waitFor('the registry to be started again', async () => first.pid !== undefined && first.pid !== pid && await first.probe(), { timeoutMs: 20_000, intervalMs: 100 });

    await first.stop();
    await waitFor('the second api to take over', async () => second.pid !== undefined && await second.probe(), { timeoutMs: 20_000, intervalMs: 100 });
  });

  test('a port taken by something else is refused with a message that says what to do', async (t) => {
    const port = await freePort();
    const other = createServer((_, res) => res.end('not a registry'));
    await new Promise<void>((r) => other.listen(port, '127.0.0.1', r));
    const { dataDir, options } = await prepared(port);
    const p = new RegistryProcess(options);
    t.after(async () => {
      await p.stop();
      other.close();
      await cleanup({ dataDir });
    });
    await assert.rejects(p.start(3000), /port \d+ \(PAAS_REGISTRY_PORT\) is taken by something that is not this data dir's registry/);
  });
});

describe('RegistryService', () => {
  test('without the binary the registry stays off and the container endpoints answer 503 saying to install docker-registry', async (t) => {
    const dataDir = await freshDataDir('paas-registry-');
    t.after(() => cleanup({ dataDir }));
    const s = new RegistryService(apiSettingsFromEnv({ PAAS_DATA_DIR: dataDir, PAAS_REGISTRY_BIN: join(dataDir, 'no-such-registry'), PAAS_REGISTRY_PORT: '0' }));
    await s.start('http://127.0.0.1:1');
    await assert.rejects(s.host(), (err: Error & { id?: string }) => err.id === 'unavailable' && /install the docker-registry package/.test(err.message));
  });

  test('its tokens are RS256 JWTs the rootcertbundle verifies, with the libtrust kid; the real registry accepts them; it stops with the api', { skip }, async (t) => {
    const dataDir = await freshDataDir('paas-registry-');
    const s = new RegistryService(apiSettingsFromEnv({ PAAS_DATA_DIR: dataDir, PAAS_REGISTRY_PORT: '0' }));
    t.after(async () => {
      await s.onApplicationShutdown();
      await cleanup({ dataDir });
    });
    await s.start('http://127.0.0.1:1');
    const { token } = await s.token('admin', [{ type: 'registry', name: 'catalog', actions: ['*'] }]);
    const keys = await ensureRegistryKeys(dataDir);
    const cert = await importX509(await readFile(keys.certPath, 'utf8'), 'RS256');
    const verified = await jwtVerify(token, cert, { issuer: 'paas-api', audience: 'paas-registry' });
    assert.equal(verified.protectedHeader.kid, keys.keyId);
    const catalog = await fetch(`${await s.url()}/v2/_catalog`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(catalog.status, 200);
    assert.deepEqual(await catalog.json(), { repositories: [] });
    const none = await s.token('nobody', []);
    assert.equal((await fetch(`${await s.url()}/v2/_catalog`, { headers: { authorization: `Bearer ${none.token}` } })).status, 401);

    // Stopped with the api.
    const url = await s.url();
    await s.onApplicationShutdown();
    await assert.rejects(fetch(`${url}/v2/`));
  });
});
