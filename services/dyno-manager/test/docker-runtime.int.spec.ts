import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import Docker from 'dockerode';
import type { Slug } from '@paas/contracts';
import { blobStoreFor } from '@paas/storage';
import { cleanup, freshDataDir, freshNamespace, waitFor } from '@paas/testing';
import type { DynoExit, DynoMemory, DynoOutput, DynoSpec } from '../src/adapters/runtime/driver.js';
import { DockerDriver } from '../src/adapters/runtime/docker-driver.js';
import { ensureStackImage, DEFAULT_STACK_IMAGE, removeDockerDynos } from '../src/adapters/runtime/stack-image.js';
import { runtimeContract } from './runtime-contract.js';
import { makeSlug } from './support.js';

runtimeContract('docker driver', async () => {
  const dataDir = await freshDataDir('paas-rt-docker-');
  const scope = freshNamespace('rtd');
  const docker = new Docker();
  return {
    dataDir,
    driver: () => new DockerDriver({
      docker, image: process.env.PAAS_STACK_IMAGE || DEFAULT_STACK_IMAGE, scope, portMin: 20000, portMax: 29999, routerPorts: [], memoryCheckMs: 0,
      ensureImage: () => ensureStackImage(docker, process.env.PAAS_STACK_IMAGE || DEFAULT_STACK_IMAGE, (l) => console.log(l)),
    }, blobStoreFor(dataDir)),
    killFromOutside: async (h) => {
      const [c] = await docker.listContainers({ filters: { label: [`paas.scope=${scope}`, `paas.dyno-id=${h.id}`] } });
      await docker.getContainer(c.Id).kill();
    },
    cleanup: async () => {
      await removeDockerDynos(scope, docker);
      await cleanup({ dataDir });
    },
  };
});

describe('docker driver: isolation and memory', () => {
  const docker = new Docker();
  const scope = freshNamespace('rtm');
  const image = process.env.PAAS_STACK_IMAGE || DEFAULT_STACK_IMAGE;
  let dataDir: string;
  let driver: DockerDriver;
  let slug: Slug;
  const exits: { id: string; exit: DynoExit }[] = [];
  const output: DynoOutput[] = [];
  const memory: DynoMemory[] = [];
  const lines = (id: string) => output.filter((o) => o.id === id).map((o) => o.line);
  const spec = (name: string, command: string): DynoSpec => ({
    id: `${name.replace('.', '-')}-${randomBytes(4).toString('hex')}`, appId: 'app-isolation', appName: 'isolation', name, type: name.split('.')[0],
    releaseVersion: 1, command, env: {}, slug: slug.blob, size: 'standard-2x',
  });

  before(async () => {
    dataDir = await freshDataDir('paas-rt-docker-mem-');
    slug = await makeSlug(dataDir, 'app-isolation');
    // A 16 MB quota: R14 above it, killed (R15) at twice it.
    driver = new DockerDriver({
      docker, image, scope, portMin: 20000, portMax: 29999, routerPorts: [], memoryMb: 16, memoryCheckMs: 200,
      ensureImage: () => ensureStackImage(docker, image, (l) => console.log(l)),
    }, blobStoreFor(dataDir));
    driver.onExit((id, exit) => exits.push({ id, exit }));
    driver.onOutput((o) => output.push(o));
    driver.onMemory((m) => memory.push(m));
  });

  after(async () => {
    await driver?.close().catch(() => undefined);
    await removeDockerDynos(scope, docker);
    await cleanup({ dataDir });
  });

  test('a dyno runs as the dyno user without capabilities, read-only except /app (its own) and /tmp, with its limits and labels', async () => {
    const s = spec('worker.1', [
      'echo "uid=$(id -u) home=$HOME pwd=$(pwd)"',
      'touch /etc/x 2>/dev/null && echo root-writable || echo root-read-only',
      'touch /tmp/x && echo tmp-writable',
      'echo changed >> /app/server.js && echo app-writable',
      'grep -E "^(CapEff|NoNewPrivs)" /proc/self/status | tr -s "\\t" " "',
      'echo checked; exec sleep 600',
    ].join('; '));
    await driver.start(s);
    await waitFor('the checks', () => lines(s.id).includes('checked'), { timeoutMs: 20_000 });
    assert.deepEqual(lines(s.id), ['uid=1000 home=/app pwd=/app', 'root-read-only', 'tmp-writable', 'app-writable', 'CapEff: 0000000000000000', 'NoNewPrivs: 1', 'checked']);
    const [c] = await docker.listContainers({ filters: { label: [`paas.scope=${scope}`, `paas.dyno-id=${s.id}`] } });
    assert.deepEqual([c.Labels['paas.app'], c.Labels['paas.dyno'], c.Labels['paas.type'], c.Labels['paas.release']], ['isolation', 'worker.1', 'worker', '1']);
    const info = await docker.getContainer(c.Id).inspect();
    assert.equal(info.HostConfig.Memory, 32 * 1024 * 1024);
    assert.equal(info.HostConfig.PidsLimit, 512);
    assert.equal(info.HostConfig.ReadonlyRootfs, true);
    // Its own namespace, held by a placeholder on the tenant network: never the host's.
    const held = /^container:(.+)$/.exec(info.HostConfig.NetworkMode ?? '')?.[1];
    assert.ok(held, info.HostConfig.NetworkMode);
    assert.ok((await docker.getContainer(held).inspect()).NetworkSettings.Networks[`${scope}-dynos`], 'the placeholder is on the dynos\' network');
    assert.deepEqual(info.HostConfig.CapDrop, ['ALL']);
    assert.equal(info.Mounts.filter((m) => m.Type === 'bind').length, 0, 'no bind mounts');
    await driver.stop(s.id, 1000);
    await waitFor('the namespace gone with the dyno', () => docker.getContainer(held).inspect().then(() => false, () => true), { timeoutMs: 10_000 });
  });

  test("a Docker build's image runs as it is: no slug copied in, its own working directory, the same limits", async () => {
    const built = await docker.getImage(image).inspect();
    const s = { ...spec('web.1', 'echo "in $(pwd) port=$PORT uid=$(id -u) slug=$(test -e /app/server.js && echo yes || echo no)"'), image: built.Id };
    await driver.start(s);
    const e = await waitFor('its exit', () => exits.find((x) => x.id === s.id), { timeoutMs: 20_000 });
    assert.equal(e.exit.code, 0);
    assert.match(lines(s.id).join('\n'), /^in \/app port=\d+ uid=1000 slug=no$/);
  });

  test('a dyno above its quota is reported (R14), one past twice its quota is killed and reported as OOM (R15)', async () => {
    const holds = spec('worker.2', `python3 -c "import time; b = b'x' * (22 * 1024 * 1024); print('holding', flush=True); time.sleep(600)"`);
    await driver.start(holds);
    const over = await waitFor('an R14 report', () => memory.find((m) => m.id === holds.id), { timeoutMs: 20_000 });
    assert.equal(over.quotaMb, 16);
    assert.ok(over.usedMb > 16 && over.usedMb <= 32, `${over.usedMb} MB in use`);
    await driver.stop(holds.id, 1000);

    const grows = spec('worker.3', `python3 -c "b = b'x' * (200 * 1024 * 1024); print('never')"`);
    await driver.start(grows);
    const e = await waitFor('the OOM exit', () => exits.find((x) => x.id === grows.id), { timeoutMs: 20_000 });
    assert.equal(e.exit.oomKilled, true);
    assert.equal(e.exit.code, 137);
    assert.ok(!lines(grows.id).includes('never'));
  });

  test('a memory quota the engine refuses fails the start with the engine\'s words and the setting that made it, leaving nothing', async () => {
    const tiny = new DockerDriver({
      docker, image, scope, portMin: 20000, portMax: 29999, routerPorts: [], memoryMb: 2, memoryCheckMs: 0,
      ensureImage: () => ensureStackImage(docker, image, (l) => console.log(l)),
    }, blobStoreFor(dataDir));
    const s = spec('web.9', 'exec sleep 600');
    try {
      await assert.rejects(tiny.start(s), /creating the container of web\.9 of isolation: .*[Mm]emory.*PAAS_DYNO_MEMORY_MB=2/);
      assert.equal((await docker.listContainers({ all: true, filters: { label: [`paas.scope=${scope}`, `paas.dyno-id=${s.id}`] } })).length, 0, 'no container left');
    } finally {
      await tiny.close();
    }
  });
});
