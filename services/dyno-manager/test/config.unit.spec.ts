import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { dynoManagerSettingsFromEnv } from '../src/config.js';
import { limitsOf } from '../src/domain/dyno-size.js';

describe('dyno-manager settings', () => {
  test('by default: the auto runtime (docker when an engine answers), the stack image, host networking, Heroku\'s cool-offs and limits by size', () => {
    const s = dynoManagerSettingsFromEnv({});
    assert.deepEqual([s.runtime, s.stackImage, s.dockerNetwork, s.memoryMb], ['auto', 'paas/stack:bookworm', 'host', undefined]);
    assert.deepEqual([s.restartBackoffBaseMs, s.restartBackoffMaxMs], [20 * 60_000, 320 * 60_000]);
    assert.deepEqual(['eco', 'standard-1x', 'standard-2x', 'performance-m', 'performance-l'].map((z) => limitsOf(z as 'eco').memoryMb), [512, 512, 1024, 2560, 14336]);
  });

  test('docker, auto and a stack image of ones own are taken; a memory quota replaces every size\'s', () => {
    for (const runtime of ['docker', 'auto'] as const) assert.equal(dynoManagerSettingsFromEnv({ PAAS_RUNTIME: runtime }).runtime, runtime);
    const s = dynoManagerSettingsFromEnv({ PAAS_STACK_IMAGE: 'registry.local/stack:1', PAAS_DOCKER_NETWORK: 'bridge', PAAS_DYNO_MEMORY_MB: '64' });
    assert.deepEqual([s.stackImage, s.dockerNetwork, limitsOf('performance-l', s.memoryMb).memoryMb], ['registry.local/stack:1', 'bridge', 64]);
  });

  test('an unknown runtime or network is refused saying what to set', () => {
    assert.throws(() => dynoManagerSettingsFromEnv({ PAAS_RUNTIME: 'kubernetes' }), /PAAS_RUNTIME="kubernetes" is not a runtime: set process, docker or auto/);
    assert.throws(() => dynoManagerSettingsFromEnv({ PAAS_DOCKER_NETWORK: 'none' }), /PAAS_DOCKER_NETWORK="none" is not a network mode: set host or bridge/);
  });
});
