import Docker from 'dockerode';
import { DockerDriver } from './dist/src/adapters/runtime/docker-driver.js';
import { ensureStackImage, removeDockerDynos } from './dist/src/adapters/runtime/stack-image.js';
import { blobStoreFor } from '../../libs/storage/dist/src/index.js';
import { makeSlug } from './dist/test/support.js';
import { mkdtemp } from 'node:fs/promises';
const docker = new Docker();
const dataDir = await mkdtemp('/tmp/dbg-');
const scope = 'dbg' + Date.now().toString(36);
const slug = await makeSlug(dataDir, 'app1');
const d = new DockerDriver({ docker, image: 'paas/stack:bookworm', scope, portMin: 20000, portMax: 29999, openPorts: [], memoryCheckMs: 0, ensureImage: () => ensureStackImage(docker, 'paas/stack:bookworm', console.log) }, blobStoreFor(dataDir));
const spec = (n, cmd) => ({ id: `${n.replace('.', '-')}-${Math.random().toString(36).slice(2, 8)}`, appId: 'app1', appName: 'app1', name: n, type: n.split('.')[0], releaseVersion: 1, command: cmd, env: {}, slug: slug.blob });
await d.list();
await new Promise((r) => setTimeout(r, 3000));
for (let i = 0; i < 6; i++) {
  const t0 = performance.now();
  const s = spec(`web.${i}`, 'node server.js');
  const h = await d.start(s);
  const t1 = performance.now();
  let ok = false;
  while (!ok) { ok = await fetch(`http://${h.host}:${h.port}/`).then(() => true, () => false); if (!ok) await new Promise((r) => setTimeout(r, 10)); }
  const t2 = performance.now();
  console.log(`start ${(t1 - t0).toFixed(0)} ms, then answering after ${(t2 - t1).toFixed(0)} ms`);
  await d.stop(s.id, 1000);
  await new Promise((r) => setTimeout(r, 1500));
}
await d.close();
await removeDockerDynos(scope);
