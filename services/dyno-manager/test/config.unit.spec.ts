import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { dynoManagerSettingsFromEnv } from '../src/config.js';
import { limitsOf } from '../src/domain/dyno-size.js';

describe('dyno-manager settings', () => {
  test('by default: the auto runtime (docker when an engine answers), the stack image, the router\'s ports open to tenants, the add-on servers on loopback relayed, Heroku\'s cool-offs and limits by size', () => {
    const s = dynoManagerSettingsFromEnv({});
    assert.deepEqual([s.runtime, s.stackImage, s.routerPorts, s.memoryMb], ['auto', 'paas/stack:bookworm', [8080], undefined]);
    assert.deepEqual(s.addonServers.map((a) => `${a.kind}:${a.port}`), ['postgres:5432', 'redis:6379']);
    assert.deepEqual([s.restartBackoffBaseMs, s.restartBackoffMaxMs], [20 * 60_000, 320 * 60_000]);
    assert.deepEqual(['eco', 'standard-1x', 'standard-2x', 'performance-m', 'performance-l'].map((z) => limitsOf(z as 'eco').memoryMb), [512, 512, 1024, 2560, 14336]);
  });

  test('docker, auto and a stack image of ones own are taken; a memory quota replaces every size\'s', () => {
    for (const runtime of ['docker', 'auto'] as const) assert.equal(dynoManagerSettingsFromEnv({ PAAS_RUNTIME: runtime }).runtime, runtime);
    const s = dynoManagerSettingsFromEnv({ PAAS_STACK_IMAGE: 'registry.local/stack:1', PAAS_DYNO_MEMORY_MB: '64' });
    assert.deepEqual([s.stackImage, limitsOf('performance-l', s.memoryMb).memoryMb], ['registry.local/stack:1', 64]);
  });

  test('the router\'s ports and the relayed add-on servers follow their settings; a remote add-on server is not relayed', () => {
    const s = dynoManagerSettingsFromEnv({ PAAS_ROUTER_PORT: '9080', PAAS_ROUTER_TLS_PORT: '9443', PAAS_ADDON_POSTGRES_URL: 'postgres://admin@127.0.0.1:6543/postgres', PAAS_ADDON_REDIS_URL: 'redis://redis.internal:6379' });
    assert.deepEqual(s.routerPorts, [9080, 9443]);
    assert.deepEqual(s.addonServers.map((a) => `${a.kind}:${a.port}`), ['postgres:6543']);
  });

  test('an unknown runtime, or the old network setting, is refused saying what to set', () => {
    assert.throws(() => dynoManagerSettingsFromEnv({ PAAS_RUNTIME: 'kubernetes' }), /PAAS_RUNTIME="kubernetes" is not a runtime: set process, docker or auto/);
    assert.throws(() => dynoManagerSettingsFromEnv({ PAAS_DOCKER_NETWORK: 'host' }), /PAAS_DOCKER_NETWORK is no longer read: docker dynos always run on the platform's tenant network/);
  });
});
