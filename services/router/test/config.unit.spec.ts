import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { routerSettingsFromEnv } from '../src/config.js';
import { resolveDataPlane, type NativeBinding } from '../src/adapters/native/native-plane.js';

describe('router settings', () => {
  test('given no environment, when read, then Heroku-like defaults', () => {
    const s = routerSettingsFromEnv({});
    assert.deepEqual([s.host, s.port, s.domain, s.connectTimeoutMs, s.responseTimeoutMs, s.idleTimeoutMs, s.quarantineMs], ['127.0.0.1', 8080, 'localhost', 5000, 30_000, 55_000, 5000]);
  });

  test('given port 0 and a domain in capitals, when read, then any free port and a lowercase domain', () => {
    const s = routerSettingsFromEnv({ PAAS_ROUTER_PORT: '0', PAAS_DOMAIN: 'Apps.Example.COM' });
    assert.equal(s.port, 0);
    assert.equal(s.domain, 'apps.example.com');
  });

  test('given invalid values, when read, then the error names the variable to fix', () => {
    assert.throws(() => routerSettingsFromEnv({ PAAS_ROUTER_PORT: '70000' }), /PAAS_ROUTER_PORT="70000" is not a TCP port/);
    assert.throws(() => routerSettingsFromEnv({ PAAS_ROUTER_CONNECT_TIMEOUT_MS: '-1' }), /PAAS_ROUTER_CONNECT_TIMEOUT_MS="-1" is not a positive/);
    assert.throws(() => routerSettingsFromEnv({ PAAS_ROUTER_IDLE_TIMEOUT_MS: '1.5' }), /PAAS_ROUTER_IDLE_TIMEOUT_MS="1.5" is not a positive/);
    assert.throws(() => routerSettingsFromEnv({ PAAS_ROUTER_QUARANTINE_MS: 'soon' }), /PAAS_ROUTER_QUARANTINE_MS="soon" is not a positive/);
    assert.throws(() => routerSettingsFromEnv({ PAAS_DOMAIN: 'bad domain' }), /PAAS_DOMAIN="bad domain" is not a domain name/);
  });

  test('given PAAS_ROUTER_DATA_PLANE, when read, then auto by default, native, raw or node when asked, and a clear error otherwise', () => {
    assert.equal(routerSettingsFromEnv({}).dataPlane, 'auto');
    assert.equal(routerSettingsFromEnv({ PAAS_ROUTER_DATA_PLANE: 'native' }).dataPlane, 'native');
    assert.equal(routerSettingsFromEnv({ PAAS_ROUTER_DATA_PLANE: 'raw' }).dataPlane, 'raw');
    assert.equal(routerSettingsFromEnv({ PAAS_ROUTER_DATA_PLANE: 'node' }).dataPlane, 'node');
    assert.throws(() => routerSettingsFromEnv({ PAAS_ROUTER_DATA_PLANE: 'fast' }), /PAAS_ROUTER_DATA_PLANE="fast" is not a data plane/);
  });

  test('given the native addon built or not, when the data plane is resolved, then auto takes native when built and raw with a warning otherwise; native asked for and missing is an error saying how to build it', () => {
    const missing = new Error('the native data plane is not built (cannot find module): run `npm run build`');
    const built = {} as NativeBinding;
    assert.deepEqual(resolveDataPlane('auto', built), { plane: 'native' });
    assert.deepEqual(resolveDataPlane('native', built), { plane: 'native' });
    const fallback = resolveDataPlane('auto', missing);
    assert.equal(fallback.plane, 'raw');
    assert.match(fallback.fallback ?? '', /not built[^]*npm run build[^]*TypeScript data plane/);
    assert.throws(() => resolveDataPlane('native', missing), /npm run build/);
    assert.deepEqual(resolveDataPlane('raw', missing), { plane: 'raw' });
    assert.deepEqual(resolveDataPlane('node', built), { plane: 'node' });
  });

  test('given PAAS_ROUTER_LISTEN_FD, when read, then the inherited socket, none by default, and a clear error for a non-descriptor', () => {
    assert.equal(routerSettingsFromEnv({}).listenFd, -1);
    assert.equal(routerSettingsFromEnv({ PAAS_ROUTER_LISTEN_FD: '4' }).listenFd, 4);
    assert.throws(() => routerSettingsFromEnv({ PAAS_ROUTER_LISTEN_FD: '1' }), /PAAS_ROUTER_LISTEN_FD="1" is not an inherited socket/);
  });
});
