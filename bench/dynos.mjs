// bench/dynos: for each runtime (process, docker), on a fresh platform with one deployed
// dependency-free Node app:
//   - start-to-routable of one dyno: PATCH web 1 -> 2, until web.2 is up in the route table
//     (median of RUNS),
//   - scale-to-20: PATCH web=20, until the 20th web dyno is up in the route table,
//   - memory of an idle dyno (RSS of its processes, or the container's memory use).
// The app's Procfile runs `node server.js` directly.
// Targets: a Node dyno routable in under 1.5 s with docker, under 0.5 s with process.
// BENCH_RUNTIMES=process,docker  BENCH_RUNS=10  BENCH_SCALE=20
import { cpus } from 'node:os';
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import Docker from 'dockerode';
import { names } from '@paas/contracts';
import { connectNats, RouteTable } from '@paas/messaging';
import { Platform } from '../tests/dist/src/platform.js';
import { git, nodeApp, pushUrl, repoWith } from '../tests/dist/src/git.js';

const RUNTIMES = (process.env.BENCH_RUNTIMES || 'process,docker').split(',');
const RUNS = Number(process.env.BENCH_RUNS || 10);
const SCALE = Number(process.env.BENCH_SCALE || 20);
const TARGET_MS = { process: 500, docker: 1500 };
const DEADLINE_MS = 180_000;

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function until(what, probe) {
  const started = performance.now();
  for (;;) {
    if (await probe()) return;
    if (performance.now() - started > DEADLINE_MS) throw new Error(`${what}: not within ${DEADLINE_MS} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** RSS (kB) of every process in a process group. */
async function groupRssKb(pgid) {
  let kb = 0;
  for (const e of await readdir('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    const stat = await readFile(`/proc/${e}/stat`, 'utf8').catch(() => null);
    if (!stat || Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]) !== pgid) continue;
    const status = await readFile(`/proc/${e}/status`, 'utf8').catch(() => '');
    kb += Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  }
  return kb;
}

/** Dynos of the app the runtime still runs (a stopped one is gone only after its SIGTERM). */
async function running(runtime, p, appName) {
  if (runtime === 'docker') {
    return (await new Docker().listContainers({ all: true, filters: { label: [`paas.scope=${p.namespace}`, `paas.app=${appName}`] } })).length;
  }
  return (await readdir(join(p.dataDir, 'dynos', appName)).catch(() => [])).length;
}

async function idleMemoryMb(runtime, p, appName) {
  if (runtime === 'docker') {
    const docker = new Docker();
    const found = await docker.listContainers({ filters: { label: [`paas.scope=${p.namespace}`, `paas.app=${appName}`] } });
    const used = await Promise.all(found.map(async (c) => {
      const s = await docker.getContainer(c.Id).stats({ stream: false, 'one-shot': true });
      return (s.memory_stats.usage - (s.memory_stats.stats?.inactive_file ?? 0)) / 1024 / 1024;
    }));
    return median(used);
  }
  const root = join(p.dataDir, 'dynos', appName);
  const used = [];
  for (const id of await readdir(root)) {
    const state = JSON.parse(await readFile(join(root, id, '.paas-dyno.json'), 'utf8').catch(() => 'null'));
    if (state) used.push(await groupRssKb(state.pid) / 1024);
  }
  return median(used);
}

async function bench(runtime) {
  const p = await Platform.start({ PAAS_RUNTIME: runtime, PAAS_LOG_LEVEL: 'warn', PAAS_DYNO_STOP_GRACE_MS: '2000' });
  const nc = await connectNats(process.env.NATS_URL || 'nats://127.0.0.1:4222', 'bench-dynos');
  try {
    const routes = await RouteTable.open(nc, names(p.namespace));
    const upWeb = async (app) => (await routes.dynos(app)).filter((r) => r.state !== 'crashed').length;
    const app = `bench-dynos-${Date.now().toString(36)}`;
    const created = await p.api('POST', '/apps', { name: app });
    if (created.status !== 201) throw new Error(`creating ${app}: ${JSON.stringify(created.body)}`);
    // `web: node server.js`: what is timed is the dyno, not npm's own start-up (about a second).
    const dir = await repoWith({ ...nodeApp, Procfile: 'web: node server.js\n' });
    const push = await git(dir, 'push', pushUrl(p.apiUrl, p.apiKey, app), 'main');
    await rm(dir, { recursive: true, force: true });
    if (push.code !== 0) throw new Error(`push failed: ${push.output}`);
    await until('web.1 routable', async () => await upWeb(app) === 1);
    const scale = async (quantity) => {
      const r = await p.api('PATCH', `/apps/${app}/formation`, { updates: [{ type: 'web', quantity }] });
      if (r.status !== 200) throw new Error(`scaling to ${quantity}: ${JSON.stringify(r.body)}`);
    };

    const single = [];
    for (let i = 1; i <= RUNS; i++) {
      const started = performance.now();
      await scale(2);
      await until('web.2 routable', async () => await upWeb(app) === 2);
      single.push(performance.now() - started);
      await scale(1);
      await until('back to one dyno', async () => await upWeb(app) === 1 && await running(runtime, p, app) === 1);
    }

    const started = performance.now();
    await scale(SCALE);
    await until(`${SCALE} dynos routable`, async () => await upWeb(app) === SCALE);
    const toScale = performance.now() - started;
    const memory = await idleMemoryMb(runtime, p, app);
    await scale(0);
    await until('no dynos', async () => (await routes.dynos(app)).length === 0);
    await p.api('DELETE', `/apps/${app}`);
    return { runtime, single, toScale, memory };
  } finally {
    await nc.close();
    await p.stop();
    if (runtime === 'docker') {
      const docker = new Docker();
      for (const c of await docker.listContainers({ all: true, filters: { label: [`paas.scope=${p.namespace}`] } })) {
        await docker.getContainer(c.Id).remove({ force: true, v: true }).catch(() => undefined);
      }
    }
  }
}

const results = [];
for (const runtime of RUNTIMES) {
  const r = await bench(runtime);
  results.push(r);
  console.log(`${runtime}: start-to-routable ${r.single.map((ms) => ms.toFixed(0)).join(' ')} ms`);
}
console.log(`\ndynos, ${cpus().length} cores, ${RUNS} runs, PATCH /apps/:app/formation -> routable in the route table`);
for (const r of results) {
  const m = median(r.single);
  const target = TARGET_MS[r.runtime];
  console.log(`${r.runtime.padEnd(8)} one dyno: median ${m.toFixed(0)} ms (min ${Math.min(...r.single).toFixed(0)}, max ${Math.max(...r.single).toFixed(0)}; target ${target} ms ${m < target ? 'met' : 'NOT met'})`
    + `  web=${SCALE}: ${r.toScale.toFixed(0)} ms  idle dyno: ${r.memory.toFixed(1)} MB`);
}
