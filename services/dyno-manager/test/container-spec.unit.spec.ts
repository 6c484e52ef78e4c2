import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { containerName, containerOptions, handleFromLabels } from '../src/adapters/runtime/container-spec.js';
import type { DynoSpec } from '../src/adapters/runtime/driver.js';

const spec: DynoSpec = {
  id: 'web-1-abcd1234', appId: 'a1', appName: 'myapp', name: 'web.1', type: 'web', releaseVersion: 7, command: 'node server.js',
  env: { GREETING: 'hi' }, slug: { key: 'k', checksum: `sha256:${'0'.repeat(64)}`, size: 1 }, size: 'standard-2x',
};
const settings = { scope: 'paas', image: 'paas/stack:bookworm' };
const net = { gateway: '172.20.0.1', netns: { id: 'placeholder-id', address: '172.20.0.5' }, relayedPorts: [5432] };

describe('dyno containers', () => {
  test('in a namespace of its own on the tenant network: $PORT is the allocated port, limits by size, locked down, labelled', () => {
    const o = containerOptions(spec, settings, net, 'paas.myapp.web-1-abcd1234', 21000, 1000, false);
    assert.deepEqual(o.Env, ['GREETING=hi', 'PORT=21000', 'DYNO=web.1', 'PS=web.1', 'HOME=/app', 'TINI_KILL_PROCESS_GROUP=1']);
    assert.deepEqual(o.Cmd?.slice(0, 2), ['bash', '-c']);
    assert.deepEqual(o.Cmd?.slice(3), ['web.1', 'node server.js']);
    assert.equal(o.User, '1000:1000');
    const h = o.HostConfig!;
    assert.deepEqual([h.NetworkMode, h.Memory, h.PidsLimit, h.ReadonlyRootfs, h.CapDrop, h.SecurityOpt, h.Init], ['container:placeholder-id', 2048 * 1024 * 1024, 512, true, ['ALL'], ['no-new-privileges'], true]);
    assert.equal(h.PortBindings, undefined);
    assert.deepEqual([o.Labels?.['paas.netns'], o.Labels?.['paas.address']], ['placeholder-id', '172.20.0.5'], 'its namespace and address, for adoption');
    assert.equal(o.Labels?.['paas.release'], '7');
    const { env: _env, slug: _slug, size: _size, ...identity } = spec;
    assert.deepEqual(handleFromLabels(o.Labels!, 0), { ...identity, host: '172.20.0.5', port: 21000, pid: 0, startedAt: 1000 });
    const { 'paas.address': _a, ...unplaced } = o.Labels!;
    assert.equal(handleFromLabels(unplaced, 0), null, 'a container without an address on the network is not adopted');
  });

  test('config URLs on the host loopback at a relayed port name the gateway; every other value is kept', () => {
    const env = {
      DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/db', LOCAL_DB: 'postgres://u:p@localhost/db', SELF: 'http://localhost:3000/', OTHER: 'postgres://db.example.com:5432/x', PLAIN: '127.0.0.1:5432',
    };
    const o = containerOptions({ ...spec, env }, settings, net, 'n', 21001, 1000, false);
    for (const e of ['DATABASE_URL=postgres://u:p@172.20.0.1:5432/db', 'LOCAL_DB=postgres://u:p@172.20.0.1/db', 'SELF=http://localhost:3000/', 'OTHER=postgres://db.example.com:5432/x', 'PLAIN=127.0.0.1:5432']) {
      assert.ok(o.Env?.includes(e), `${e} in ${o.Env?.join(' ')}`);
    }
  });

  test("a Docker build's image runs through /bin/sh in its own working directory", () => {
    const o = containerOptions({ ...spec, image: 'sha256:abc' }, settings, net, 'n', 21002, 1000, true);
    assert.deepEqual([o.Image, o.Cmd?.[0], o.WorkingDir, o.OpenStdin, o.Labels?.['paas.attached']], ['sha256:abc', '/bin/sh', undefined, true, '1']);
    assert.ok(!o.Env?.some((e) => e.startsWith('HOME=')));
  });

  test('container names are safe for the engine; foreign labels are not adopted', () => {
    assert.equal(containerName('e2e_x', { appName: 'my-app', id: 'web-1-ab' }), 'e2e_x.my-app.web-1-ab');
    assert.equal(handleFromLabels({ 'paas.scope': 'paas' }, 0), null);
  });
});
