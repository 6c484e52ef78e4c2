// bench/deploy: time from `git push` start to the first 200 through the router, for a
// dependency-free Node app on a fresh app each run (the process driver). Prints the median of
// RUNS, the spread and the machine's core count. Target: under 5 s (Heroku takes tens of seconds).
import { cpus } from 'node:os';
import { rm } from 'node:fs/promises';
import { Platform } from '../tests/dist/src/platform.js';
import { git, nodeApp, pushUrl, repoWith } from '../tests/dist/src/git.js';

const RUNS = Number(process.env.BENCH_RUNS || 5);
const TARGET_MS = 5000;
const DEADLINE_MS = 120_000;

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function firstOk(p, app, started) {
  for (;;) {
    const r = await p.viaRouter(app).catch(() => ({ status: 0 }));
    if (r.status === 200) return performance.now() - started;
    if (performance.now() - started > DEADLINE_MS) throw new Error(`${app} did not answer 200 within ${DEADLINE_MS} ms`);
    await new Promise((res) => setTimeout(res, 10));
  }
}

const p = await Platform.start();
const times = [];
try {
  for (let i = 1; i <= RUNS; i++) {
    const app = `bench-${i}-${Date.now().toString(36)}`;
    const created = await p.api('POST', '/apps', { name: app });
    if (created.status !== 201) throw new Error(`creating ${app}: ${JSON.stringify(created.body)}`);
    const dir = await repoWith(nodeApp);
    const started = performance.now();
    const push = git(dir, 'push', pushUrl(p.apiUrl, p.apiKey, app), 'main');
    const ms = await firstOk(p, app, started);
    const result = await push;
    if (result.code !== 0) throw new Error(`push failed: ${result.output}`);
    times.push(ms);
    console.log(`run ${i}: ${ms.toFixed(0)} ms`);
    await p.api('DELETE', `/apps/${app}`);
    await rm(dir, { recursive: true, force: true });
  }
} finally {
  await p.stop();
}
const m = median(times);
console.log(`\ndeploy (git push -> first 200 via router), process driver, ${cpus().length} cores, ${RUNS} runs`);
console.log(`median ${m.toFixed(0)} ms  min ${Math.min(...times).toFixed(0)} ms  max ${Math.max(...times).toFixed(0)} ms`);
console.log(`target ${TARGET_MS} ms: median/target = ${(m / TARGET_MS).toFixed(2)} (${m < TARGET_MS ? 'met' : 'NOT met'})`);
