import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { containerName, containerOptions, handleFromLabels } from '../src/adapters/runtime/container-spec.js';
import type { DynoSpec } from '../src/adapters/runtime/driver.js';

const spec: DynoSpec = {
  id: 'web-1-abcd1234', appId: 'a1', appName: 'myapp', name: 'web.1', type: 'web', releaseVersion: 7, command: 'node server.js',
  env: { GREETING: 'hi' }, slug: { key: 'k', checksum: `sha256:${'0'.repeat(64)}`, size: 1 }, size: 'standard-2x',
};
const settings = { scope: 'paas', image: 'paas/stack:bookworm', network: 'host' as const };

describe('dyno containers', () => {
  test('host networking: $PORT is the allocated port, limits by size, locked down, labelled', () => {
    const o = containerOptions(spec, settings, 'paas.myapp.web-1-abcd1234', 21000, 1000, false);
    assert.deepEqual(o.Env, ['GREETING=hi', 'PORT=21000', 'DYNO=web.1', 'PS=web.1', 'HOME=/app', 'TINI_KILL_PROCESS_GROUP=1']);
    assert.deepEqual(o.Cmd?.slice(0, 2), ['bash', '-c']);
    assert.deepEqual(o.Cmd?.slice(3), ['web.1', 'node server.js']);
    assert.equal(o.User, '1000:1000');
    const h = o.HostConfig!;
    assert.deepEqual([h.NetworkMode, h.Memory, h.PidsLimit, h.ReadonlyRootfs, h.CapDrop, h.SecurityOpt, h.Init], ['host', 2048 * 1024 * 1024, 512, true, ['ALL'], ['no-new-privileges'], true]);
    assert.equal(h.PortBindings, undefined);
    assert.equal(o.Labels?.['paas.release'], '7');
    const { env: _env, slug: _slug, size: _size, ...identity } = spec;
    assert.deepEqual(handleFromLabels(o.Labels!, 0), { ...identity, host: '127.0.0.1', port: 21000, pid: 0, startedAt: 1000 });
  });

  test('bridge networking: the app listens on 5000 inside, published on 127.0.0.1 at the allocated port', () => {
    const o = containerOptions(spec, { ...settings, network: 'bridge' }, 'n', 21001, 1000, false);
    assert.ok(o.Env?.includes('PORT=5000'));
    assert.equal(o.HostConfig?.NetworkMode, 'bridge');
    assert.deepEqual(o.HostConfig?.PortBindings, { '5000/tcp': [{ HostIp: '127.0.0.1', HostPort: '21001' }] });
  });

  test("a Docker build's image runs through /bin/sh in its own working directory", () => {
    const o = containerOptions({ ...spec, image: 'sha256:abc' }, settings, 'n', 21002, 1000, true);
    assert.deepEqual([o.Image, o.Cmd?.[0], o.WorkingDir, o.OpenStdin, o.Labels?.['paas.attached']], ['sha256:abc', '/bin/sh', undefined, true, '1']);
    assert.ok(!o.Env?.some((e) => e.startsWith('HOME=')));
  });

  test('container names are safe for the engine; foreign labels are not adopted', () => {
    assert.equal(containerName('e2e_x', { appName: 'my-app', id: 'web-1-ab' }), 'e2e_x.my-app.web-1-ab');
    assert.equal(handleFromLabels({ 'paas.scope': 'paas' }, 0), null);
  });
});
