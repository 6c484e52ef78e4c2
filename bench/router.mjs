// bench/router: wrk (Debian package) against a trivial Node backend directly, through nginx
// (one worker, upstream keep-alive, access log on), through a bare Node relay (the floor for any
// proxy in Node) and through our router (every semantic on: headers, limits, timeouts, quarantine,
// one heroku[router] log line per request into NATS). Prints requests/s, p50, p99 and CPU per
// request (user + system) for 1, 50 and 200 keep-alive connections and 50 without keep-alive,
// the router's RSS, and the router/nginx ratios. Target: >= 0.85x nginx's
// throughput at 50 connections with p99 <= 1.5x nginx's. Not a test: nothing here fails a build.
//
//   npm run bench:router            BENCH_SECONDS=10 npm run bench:router
//   BENCH_ROUNDS=5                  rounds per run (default 3), targets alternating; medians are printed
//   BENCH_RUNS='50 conns, keep-alive'  only these runs (labels as printed, separated by ;)
//   BENCH_ONLY=nginx,router         only these targets ('dyno directly', nginx, 'bare relay', router)
//   BENCH_BASELINE=<dir>            another build of the router (a copy of services/router/dist) run beside it, for A/B
//   BENCH_PROFILE=<dir>             a V8 CPU profile of the router, written there when it stops
//   PAAS_ROUTER_PROCESSES=2         the router as several processes (CPU and RSS summed over them)
//   PAAS_ROUTER_DATA_PLANE=raw      the TypeScript data plane instead of the native one (node: node:http)
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createServer } from 'node:net';
import { request } from 'node:http';
import { connectNats, RouteTable } from '../libs/messaging/dist/src/index.js';
import { names } from '../libs/contracts/dist/src/index.js';
import { cleanup, freshNamespace, waitFor } from '../libs/testing/dist/src/index.js';

const SECONDS = Number(process.env.BENCH_SECONDS || 5);
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS || 3));
const NATS_URL = process.env.NATS_URL || 'nats://127.0.0.1:4222';
const root = resolve(import.meta.dirname, '..');
const children = [];

for (const tool of ['wrk', 'nginx']) {
  if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) {
    console.error(`${tool} is not installed: apt-get install -y ${tool === 'nginx' ? 'nginx-light' : tool}`);
    process.exit(2);
  }
}

const freePort = () => new Promise((res, rej) => {
  const s = createServer().listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => res(port)); }).on('error', rej);
});

function start(cmd, args, env = {}) {
  const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d) => { err = (err + d).slice(-2000); });
  child.lastError = () => err;
  children.push(child);
  return child;
}

const answers = (port, host) => () => new Promise((res) => {
  const req = request({ host: '127.0.0.1', port, path: '/', headers: host ? { host } : {} }, (r) => { r.resume(); res(r.statusCode === 200); });
  req.on('error', () => res(false));
  req.end();
});

/** One wrk run: requests/s and latency percentiles in ms. */
function wrk(port, connections, { keepAlive = true, host = 'bench.localhost' } = {}) {
  const args = ['-t', connections === 1 ? '1' : '2', '-c', String(connections), '-d', `${SECONDS}s`, '--latency', '-H', `Host: ${host}`];
  if (!keepAlive) args.push('-H', 'Connection: close');
  const r = spawnSync('wrk', [...args, `http://127.0.0.1:${port}/`], { encoding: 'utf8', timeout: (SECONDS + 30) * 1000 });
  const out = r.stdout;
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? NaN);
  const pct = (p) => toMs(new RegExp(`\\s${p}%\\s+([\\d.]+\\w+)`).exec(out)?.[1]);
  const errors = /Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? '0';
  const socketErrors = /Socket errors: (.*)/.exec(out)?.[1];
  return { rps, p50: pct(50), p99: pct(99), errors: Number(errors), socketErrors };
}

function median(xs) {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function toMs(v) {
  if (!v) return NaN;
  const n = parseFloat(v);
  if (v.endsWith('us')) return n / 1000;
  if (v.endsWith('ms')) return n;
  if (v.endsWith('s')) return n * 1000;
  return n;
}

/** A process and its child processes (PAAS_ROUTER_PROCESSES > 1 runs the router as a primary and workers). */
function withChildren(pid) {
  const kids = spawnSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' }).stdout.trim().split('\n').filter(Boolean).map(Number);
  return [pid, ...kids];
}

/** CPU time a process (and its children) has used so far, in µs: user, system and both. */
function cpuUs(pid) {
  if (!pid) return { user: NaN, sys: NaN, all: NaN };
  let user = 0;
  let sys = 0;
  for (const p of withChildren(pid)) {
    const st = readFileSync(`/proc/${p}/stat`, 'utf8');
    const f = st.slice(st.lastIndexOf(')') + 2).split(' ');
    user += (Number(f[11]) / 100) * 1e6;
    sys += (Number(f[12]) / 100) * 1e6;
  }
  return { user, sys, all: user + sys };
}

async function rssKb(pid) {
  const out = { rss: 0, peak: 0 };
  for (const p of withChildren(pid)) {
    const s = await readFile(`/proc/${p}/status`, 'utf8');
    out.rss += Number(/VmRSS:\s+(\d+)/.exec(s)[1]);
    out.peak += Number(/VmHWM:\s+(\d+)/.exec(s)[1]);
  }
  return out;
}

const namespace = freshNamespace('bench-router');
const work = await mkdtemp(join(tmpdir(), 'paas-bench-router-'));
let nc;
try {
  // The dyno: a trivial Node server, as the issue's reference figures used.
  const backendPort = await freePort();
  const backend = start(process.execPath, ['-e', `require('http').createServer((q, s) => s.end('hello, world\\n')).listen(${backendPort}, '127.0.0.1')`]);
  await waitFor('the backend', answers(backendPort), { timeoutMs: 10_000 });

  // nginx: one worker, keep-alive to the backend, an access log as our router logs every request.
  const nginxPort = await freePort();
  await writeFile(join(work, 'nginx.conf'), `
daemon off; worker_processes 1; pid ${work}/nginx.pid; error_log ${work}/error.log warn;
events { worker_connections 4096; }
http {
  access_log ${work}/access.log combined buffer=64k;
  upstream dyno { server 127.0.0.1:${backendPort}; keepalive 256; }
  server {
    listen 127.0.0.1:${nginxPort};
    location / {
      proxy_pass http://dyno; proxy_http_version 1.1; proxy_set_header Connection "";
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for; proxy_set_header X-Request-Id $request_id;
    }
  }
}`);
  const nginx = start('nginx', ['-p', work, '-c', join(work, 'nginx.conf')]);
  await waitFor('nginx', answers(nginxPort, 'bench.localhost'), { timeoutMs: 10_000 });

  // Our router, its table holding one app with one web dyno: the backend.
  nc = await connectNats(NATS_URL, 'bench-router');
  const routes = await RouteTable.open(nc, names(namespace));
  const appId = '6f1c3c0e-8d2a-4c55-9a57-0c3b9d6c1a11';
  await routes.putApp({ appId, appName: 'bench', maintenance: false });
  await routes.putDyno({ appId, appName: 'bench', dynoId: 'web-1-v1', dyno: 'web.1', releaseVersion: 1, state: 'up', host: '127.0.0.1', port: backendPort });
  const routerPort = await freePort();
  // BENCH_PROFILE=<dir> writes a V8 CPU profile of the router there (open it in Chrome's DevTools).
  const profile = process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${resolve(process.env.BENCH_PROFILE)}`] : [];
  const router = start(process.execPath, [...profile, join(root, 'services/router/dist/src/main.js')], {
    PAAS_NAMESPACE: namespace, NATS_URL, PAAS_ROUTER_PORT: String(routerPort), PAAS_LOG_LEVEL: 'warn', PAAS_DATA_DIR: work,
  });
  await waitFor('the router', answers(routerPort, 'bench.localhost'), { timeoutMs: 30_000 }).catch((err) => {
    throw new Error(`${err.message}\n${router.lastError()}`);
  });

  // BENCH_BASELINE=<a router's dist directory>: that build too, as 'baseline router', to compare a change side by side.
  let baseline;
  const baselinePort = await freePort();
  if (process.env.BENCH_BASELINE) {
    baseline = start(process.execPath, [join(resolve(process.env.BENCH_BASELINE), 'src/main.js')], {
      PAAS_NAMESPACE: namespace, NATS_URL, PAAS_ROUTER_PORT: String(baselinePort), PAAS_LOG_LEVEL: 'warn', PAAS_DATA_DIR: work,
    });
    await waitFor('the baseline router', answers(baselinePort, 'bench.localhost'), { timeoutMs: 30_000 });
  }

  // The floor for any Node proxy: a bare relay (no parsing, one dyno connection per client, bytes passed as they come).
  const relayPort = await freePort();
  const relay = start(process.execPath, ['-e', `const net = require('net');
net.createServer({ noDelay: true }, (c) => {
  const d = net.connect({ port: ${backendPort}, host: '127.0.0.1', noDelay: true });
  c.on('data', (b) => d.write(b)); d.on('data', (b) => c.write(b));
  c.on('close', () => d.destroy()); d.on('close', () => c.destroy()); c.on('error', () => {}); d.on('error', () => {});
}).listen(${relayPort}, '127.0.0.1');`]);
  await waitFor('the bare relay', answers(relayPort, 'bench.localhost'), { timeoutMs: 10_000 });

  const nginxWorker = Number(spawnSync('pgrep', ['-P', String(nginx.pid)], { encoding: 'utf8' }).stdout.trim().split('\n')[0]);
  const pids = { 'dyno directly': backend.pid, nginx: nginxWorker, 'bare relay': relay.pid, 'baseline router': baseline?.pid, router: router.pid };
  const targets = [['dyno directly', backendPort], ['nginx', nginxPort], ['bare relay', relayPort], ...(baseline ? [['baseline router', baselinePort]] : []), ['router', routerPort]]
    .filter(([name]) => !process.env.BENCH_ONLY || process.env.BENCH_ONLY.split(',').includes(name));
  const runs = [['1 conn, keep-alive', 1, true], ['50 conns, keep-alive', 50, true], ['200 conns, keep-alive', 200, true], ['50 conns, no keep-alive', 50, false]]
    .filter(([label]) => !process.env.BENCH_RUNS || process.env.BENCH_RUNS.split(';').includes(label));
  const results = {};
  // The NATS server stores the router's log lines: its CPU is part of what a routed request costs the machine.
  const natsPid = Number(spawnSync('pgrep', ['-x', 'nats-server'], { encoding: 'utf8' }).stdout.trim().split('\n')[0]) || undefined;
  console.log(`wrk ${SECONDS}s per run, ${ROUNDS} rounds (targets alternating, medians shown) on ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown cpu'}), load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}\n`);
  for (const [label, c, keepAlive] of runs) {
    const rounds = Object.fromEntries(targets.map(([name]) => [name, []]));
    for (let round = 0; round < ROUNDS; round++) {
      // Alternate the order so that neither target always runs right after the other.
      for (const [name, port] of round % 2 === 0 ? targets : [...targets].reverse()) {
        if (round === 0) wrk(port, c, { keepAlive }); // warm-up pass, discarded
        const before = cpuUs(pids[name]);
        const natsBefore = cpuUs(natsPid);
        const r = wrk(port, c, { keepAlive });
        // CPU per request of the process under test: steadier than req/s on a busy machine.
        const after = cpuUs(pids[name]);
        const requests = r.rps * SECONDS;
        Object.assign(r, { cpu: (after.all - before.all) / requests, user: (after.user - before.user) / requests, sys: (after.sys - before.sys) / requests });
        r.natsCpu = (cpuUs(natsPid).all - natsBefore.all) / requests;
        rounds[name].push(r);
      }
    }
    for (const [name] of targets) {
      const rs = rounds[name];
      const r = Object.fromEntries(['rps', 'p50', 'p99', 'cpu', 'user', 'sys', 'natsCpu'].map((k) => [k, median(rs.map((x) => x[k]))]));
      r.errors = rs.reduce((n, x) => n + x.errors, 0);
      r.socketErrors = rs.map((x) => x.socketErrors).filter(Boolean).join('; ');
      results[`${label}|${name}`] = r;
      const errs = r.errors || r.socketErrors ? `  errors: ${r.errors} non-2xx${r.socketErrors ? `, socket ${r.socketErrors}` : ''}` : '';
      const nats = name === 'router' && Number.isFinite(r.natsCpu) ? ` (+${r.natsCpu.toFixed(0)} µs in NATS)` : '';
      console.log(`${label.padEnd(24)} ${name.padEnd(14)} ${r.rps.toFixed(0).padStart(7)} req/s  p50 ${r.p50.toFixed(2).padStart(6)} ms  p99 ${r.p99.toFixed(2).padStart(6)} ms  ${r.cpu.toFixed(0).padStart(4)} µs CPU/req (user ${r.user.toFixed(0)} + sys ${r.sys.toFixed(0)})${nats}${errs}`);
    }
    if (rounds['baseline router'] && rounds.router) {
      const base = rounds['baseline router'];
      const paired = (f) => rounds.router.map((o, i) => f(o) / f(base[i]));
      console.log(`${''.padEnd(24)} router/baseline ${median(paired((x) => x.rps)).toFixed(2)}x throughput, ${median(paired((x) => x.cpu)).toFixed(2)}x CPU per request, ${median(paired((x) => x.user)).toFixed(2)}x user CPU (per round: ${paired((x) => x.user).map((r) => r.toFixed(2)).join(' ')})`);
    }
    if (rounds.nginx && rounds.router) {
      // Ratios of the runs made side by side in the same round, then their median.
      const ratio = (f) => median(rounds.router.map((o, i) => f(o) / f(rounds.nginx[i])));
      const o = { rps: ratio((x) => x.rps), p99: ratio((x) => x.p99), cpu: ratio((x) => x.cpu) };
      results[`${label}|ratio`] = o;
      console.log(`${''.padEnd(24)} router/nginx   ${o.rps.toFixed(2)}x throughput, ${o.p99.toFixed(2)}x p99, ${o.cpu.toFixed(1)}x CPU per request (medians of ${ROUNDS} paired rounds: ${rounds.router.map((x, i) => (x.rps / rounds.nginx[i].rps).toFixed(2)).join(' ')})\n`);
    }
  }
  const mem = await rssKb(router.pid);
  const procs = withChildren(router.pid).length;
  console.log(`router memory: RSS ${(mem.rss / 1024).toFixed(0)} MiB, peak ${(mem.peak / 1024).toFixed(0)} MiB${procs > 1 ? ` (${procs} processes: primary and workers together)` : ''}; data plane ${process.env.PAAS_ROUTER_DATA_PLANE || 'auto'}; load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  const key = '50 conns, keep-alive';
  if (results[`${key}|ratio`]) {
    const { rps: ratio, p99 } = results[`${key}|ratio`];
    console.log(`target at 50 connections: throughput >= 0.85x nginx (${ratio.toFixed(2)}x), p99 <= 1.5x nginx (${p99.toFixed(2)}x): ${ratio >= 0.85 && p99 <= 1.5 ? 'met' : 'NOT met'}`);
  }
} finally {
  for (const c of children) c.kill('SIGTERM');
  await Promise.all(children.map((c) => c.exitCode === null && c.signalCode === null ? new Promise((r) => c.once('exit', r)) : undefined));
  await nc?.close().catch(() => undefined);
  await cleanup({ namespace }).catch(() => undefined);
  await rm(work, { recursive: true, force: true });
}
