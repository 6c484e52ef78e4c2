// bench/build: build times of the builder alone (SourcePushed -> SlugBuilt, process runtime: on the
// host), first build and cached rebuild, for an express app (dependencies from the npm registry)
// and a Python app (one wheel from a local index), median of RUNS each, with the ratio.
// Each run uses a fresh app, so its first build starts with an empty cache; the rebuild changes a
// source file but no dependency. Target: cached rebuild of the express app under 3 s.
import { cpus } from 'node:os';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { BuilderHarness } from '../services/builder/dist/test/harness.js';
import { makeWheel, PythonIndex } from '../tests/dist/src/python-index.js';

process.env.PAAS_LOG_LEVEL ??= 'warn';
const RUNS = Number(process.env.BENCH_RUNS || 3);
const TARGET_MS = 3000;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const express = (v) => ({
  'package.json': JSON.stringify({ name: 'ex', version: '1.0.0', dependencies: { express: '^4.21.0' }, scripts: { start: 'node server.js' } }),
  'server.js': `require('express')().get('/', (q, s) => s.send('v${v}')).listen(process.env.PORT);\n`,
});
const python = (v) => ({
  'requirements.txt': 'paas-greeting==1.0\n',
  Procfile: 'web: python app.py\n',
  'app.py': `import paas_greeting\nprint(paas_greeting.VALUE, ${v})\n`,
});

async function timed(h, tree, config, appId) {
  const started = performance.now();
  const { outcome } = await h.build({ files: tree }, config, appId);
  const ms = performance.now() - started;
  if (outcome.type !== 'SlugBuilt') throw new Error(`build failed: ${outcome.data.reason}`);
  return ms;
}

const wheels = await mkdtemp(join(tmpdir(), 'paas-bench-wheels-'));
const index = await PythonIndex.start([await makeWheel(wheels, 'paas-greeting', '1.0', 'paas_greeting', 'hi')]);
const h = await BuilderHarness.start({ buildTimeoutMs: 600_000 });
const results = {};
try {
  for (const [name, app, config] of [['express', express, {}], ['python', python, { PIP_INDEX_URL: index.url }]]) {
    const first = [];
    const cached = [];
    for (let i = 1; i <= RUNS; i++) {
      const appId = randomUUID();
      first.push(await timed(h, app(1), config, appId));
      cached.push(await timed(h, app(2), config, appId));
      console.log(`${name} run ${i}: first ${first.at(-1).toFixed(0)} ms, cached ${cached.at(-1).toFixed(0)} ms`);
    }
    results[name] = { first: median(first), cached: median(cached) };
  }
} finally {
  await h.cleanup();
  await index.close();
  await rm(wheels, { recursive: true, force: true });
}
console.log(`\nbuild times (builder only, process runtime, ${cpus().length} cores, median of ${RUNS})`);
for (const [name, r] of Object.entries(results)) {
  console.log(`${name.padEnd(8)} first ${r.first.toFixed(0)} ms  cached ${r.cached.toFixed(0)} ms  ratio ${(r.first / r.cached).toFixed(1)}x`);
}
const e = results.express.cached;
console.log(`target: cached express rebuild under ${TARGET_MS} ms: ${e.toFixed(0)} ms (${e < TARGET_MS ? 'met' : 'NOT met'})`);
