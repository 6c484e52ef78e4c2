import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { builderSettingsFromEnv } from '../src/config.js';

describe('builder settings: build limits and the egress allow-list', () => {
  test('by default a build gets 2560 MB, 4096 processes and every core; nothing internal is allowed; the proxy listens on 3128', () => {
    const s = builderSettingsFromEnv({});
    assert.deepEqual(s.buildLimits, { memoryMb: 2560, pids: 4096, cpus: availableParallelism() });
    assert.deepEqual([s.buildAllowedHosts, s.buildProxyPort], [[], 3128]);
  });

  test('limits and allowed hosts are read from the environment', () => {
    const s = builderSettingsFromEnv({ PAAS_BUILD_MEMORY_MB: '1024', PAAS_BUILD_PIDS: '512', PAAS_BUILD_CPUS: '0.5', PAAS_BUILD_ALLOWED_HOSTS: '127.0.0.1:8000, 10.1.0.0/16', PAAS_BUILD_PROXY_PORT: '3130' });
    assert.deepEqual(s.buildLimits, { memoryMb: 1024, pids: 512, cpus: 0.5 });
    assert.deepEqual(s.buildAllowedHosts.map((e) => e.kind), ['hostport', 'cidr']);
    assert.equal(s.buildProxyPort, 3130);
  });

  test('a limit no build could live with, or more CPUs than the machine has, is refused naming the setting', () => {
    assert.throws(() => builderSettingsFromEnv({ PAAS_BUILD_MEMORY_MB: '16' }), /PAAS_BUILD_MEMORY_MB="16" is too little for any build: give at least 64/);
    assert.throws(() => builderSettingsFromEnv({ PAAS_BUILD_MEMORY_MB: 'lots' }), /PAAS_BUILD_MEMORY_MB="lots" is not a positive whole number of megabytes/);
    assert.throws(() => builderSettingsFromEnv({ PAAS_BUILD_PIDS: '8' }), /PAAS_BUILD_PIDS="8" is too few for any build/);
    assert.throws(() => builderSettingsFromEnv({ PAAS_BUILD_CPUS: String(availableParallelism() + 1) }), /PAAS_BUILD_CPUS=".*" is not a number of CPUs between 0.1 and/);
    assert.throws(() => builderSettingsFromEnv({ PAAS_BUILD_ALLOWED_HOSTS: 'pypi.internal' }), /PAAS_BUILD_ALLOWED_HOSTS entry "pypi.internal" is neither host:port nor a CIDR range/);
    assert.throws(() => builderSettingsFromEnv({ PAAS_BUILD_PROXY_PORT: '70000' }), /PAAS_BUILD_PROXY_PORT="70000" is not a port number/);
  });
});
