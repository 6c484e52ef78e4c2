import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { createServer as createHttpServer, request } from 'node:http';
import { createServer, type Server } from 'node:net';
import { networkInterfaces } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import Docker from 'dockerode';
import { Redis } from 'ioredis';
import { waitFor } from '@paas/testing';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { nodeApp, Scratch } from './git.js';
import { Platform } from './platform.js';
import { makeWheel, PythonIndex } from './python-index.js';

const run = promisify(execFile);
// tests/dist/src -> tests/fixtures/prober
const PROBER = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures', 'prober');

interface Report {
  gateway: string;
  uid: number;
  checked: number;
  open: { host: string; port: number; reply: string }[];
  postgres: { host: string; user: string; database: string; login: string }[];
  files: { path: string; result: string }[];
}

/** Every TCP port something listens on on this machine, as `ss` lists them. */
async function hostListeners(): Promise<number[]> {
  const { stdout } = await run('ss', ['-ltnH']);
  return [...new Set(stdout.trim().split('\n').map((l) => Number(l.trim().split(/\s+/)[3]?.split(':').pop())).filter((p) => p > 0))];
}

/** A listener on `host:port` that stands for a platform service listening on every address. */
function decoy(host: string, port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const s = createServer((c) => c.end('decoy\n'));
    s.once('error', reject);
    s.listen({ host, port, exclusive: true }, () => resolve(s));
  });
}

/** The prober's files with the targets it is to try. */
async function proberFiles(targets: object): Promise<Record<string, string>> {
  const files: Record<string, string> = { 'targets.json': JSON.stringify(targets) };
  for (const name of await readdir(PROBER)) files[name] = await readFile(join(PROBER, name), 'utf8');
  return files;
}

/**
 * Trust from the attacker's side, with the docker runtime: a prober app tries, from inside its
 * build and its dynos, every listener of this machine, stand-ins for the platform's services on
 * the networks' gateways, the dyno port range, other dynos and the platform's files. Nothing may
 * answer but the router's way in and the app's own add-on servers, which ask for credentials.
 */
describe('tenants cannot reach the platform (docker runtime)', () => {
  let p: Platform;
  let index: PythonIndex;
  const scratch = new Scratch();
  const docker = new Docker();
  const decoys: Server[] = [];
  let targets: Record<string, unknown>;
  let buildReport: Report;
  let pushOutput = '';

  const dynoAddress = async (app: string, dyno: string) => {
    const [c] = await docker.listContainers({ filters: { label: [`paas.scope=${p.namespace}`, `paas.app=${app}`, `paas.dyno=${dyno}`] } });
    assert.ok(c, `the container of ${dyno} of ${app}`);
    return { host: c.Labels['paas.address'], port: Number(c.Labels['paas.port']) };
  };
  const post = (app: string, path: string, body: string) => new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: p.routerPort, path, method: 'POST', headers: { host: `${app}.localhost`, 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode!, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
  /** Waits until the app runs exactly `want` dynos, every one up on its latest release. */
  const upDynos = (app: string, want: Record<string, number>) => waitFor(`${JSON.stringify(want)} dynos of ${app} up on its latest release`, async () => {
    const latest = Math.max(...((await p.api('GET', `/apps/${app}/releases`)).body as { version: number }[]).map((r) => r.version));
    const dynos = (await p.api('GET', `/apps/${app}/dynos`)).body as { type: string; state: string; name: string; release: { version: number } }[];
    const settled = dynos.length === Object.values(want).reduce((a, b) => a + b, 0) && dynos.every((d) => d.state === 'up' && d.release.version === latest);
    return settled && Object.entries(want).every(([type, n]) => dynos.filter((d) => d.type === type).length === n) ? dynos : undefined;
  }, { timeoutMs: 90_000 });

  /** Every reachable thing in a report that a tenant may reach: the router and (dynos only) its add-on servers. */
  const unexpected = (r: Report, allowedPorts: number[]) => r.open.filter((o) => !(o.host === r.gateway && allowedPorts.includes(o.port)));

  before(async () => {
    // A package index on this host's loopback, which builds may reach through the egress proxy because the operator says so.
    index = await PythonIndex.start([await makeWheel(scratch.keep(await mkdtemp(join(tmpdir(), 'paas-wheels-'))), 'paas-greeting', '1.0', 'paas_greeting', 'hi')]);
    p = await Platform.start({ PAAS_RUNTIME: 'docker', PAAS_ROUTE_DRAIN_MS: '200', PAAS_BUILD_ALLOWED_HOSTS: new URL(index.url).host, PIP_CONFIG_FILE: '/dev/null' });
    // A victim app: its dyno must not be reachable straight from another app's.
    assert.equal((await p.api('POST', '/apps', { name: 'victim' })).status, 201);
    const victim = await p.push(await scratch.repo(nodeApp), 'victim');
    assert.equal(victim.code, 0, victim.output);
    await upDynos('victim', { web: 1 });
    // Stand-ins for the platform's services listening on every address: on both networks' gateways.
    const gateways = await Promise.all(['dynos', 'builds'].map(async (kind) => (await docker.getNetwork(`${p.namespace}-${kind}`).inspect()).IPAM?.Config?.[0]?.Gateway as string));
    const standIns = [4222, p.apiPort, p.apiTlsPort, p.rendezvousPort, 20000 + Math.floor(Math.random() * 9000)];
    for (const gw of gateways) for (const port of standIns) decoys.push(await decoy(gw, port));
    const dataFiles = [join(p.dataDir, 'api-key'), join(p.dataDir, 'tls', 'ca-key.pem'), join(p.dataDir, 'tls', 'ca.pem')];
    const victimSlugs = join(p.dataDir, 'blobs', 'slugs');
    for (const app of await readdir(victimSlugs).catch(() => [])) for (const f of await readdir(join(victimSlugs, app))) dataFiles.push(join(victimSlugs, app, f));
    // This host's own addresses, not the bridges of other platforms (other specs): one of those may
    // be gone by the time the prober runs, and a connection to it would leave the machine.
    const bridges = /^(paas[db]-|docker|br-|veth)/;
    const hostAddresses = Object.entries(networkInterfaces()).filter(([name]) => !bridges.test(name))
      .flatMap(([, l]) => l ?? []).filter((i) => i.family === 'IPv4').map((i) => i.address);
    const rangeSample = Array.from({ length: 100 }, (_, i) => 20000 + i * 100 + Math.floor(Math.random() * 100));
    const platformDb = new URL(p.databaseUrl);
    targets = {
      hosts: ['gateway', ...gateways, ...hostAddresses],
      ports: [...new Set([...await hostListeners(), ...standIns, ...rangeSample])],
      pairs: [await dynoAddress('victim', 'web.1')],
      files: dataFiles,
      postgres: [{ user: decodeURIComponent(platformDb.username), database: platformDb.pathname.slice(1) }, { user: 'postgres', database: 'postgres' }],
      postgresPort: 5432,
      redisPort: 6379,
    };
    assert.equal((await p.api('POST', '/apps', { name: 'prober' })).status, 201);
    const pushed = await p.push(await scratch.repo(await proberFiles(targets)), 'prober');
    pushOutput = pushed.output;
    assert.equal(pushed.code, 0, pushed.output);
    const line = pushed.output.split('\n').find((l) => l.includes('PROBE-REPORT '));
    assert.ok(line, `the build step's report in:\n${pushed.output}`);
    buildReport = JSON.parse(line.slice(line.indexOf('PROBE-REPORT ') + 'PROBE-REPORT '.length)) as Report;
  });

  after(async () => {
    await Promise.all(decoys.map((d) => new Promise((r) => d.close(r))));
    await p?.stop();
    await index?.close();
    await scratch.remove();
  });

  test('a build (heroku-postbuild) reaches nothing of the host, no other dyno and no platform file, while npm ci from the registry works', () => {
    assert.match(pushOutput, /added \d+ packages/, 'npm ci installed pg from the registry');
    assert.ok(buildReport.checked > 100, `it tried ${buildReport.checked} addresses and ports`);
    assert.notEqual(buildReport.uid, 0, 'the build runs unprivileged');
    assert.deepEqual(unexpected(buildReport, [3128]), [], 'nothing but the egress proxy answered the build');
    assert.deepEqual(buildReport.postgres.filter((l) => l.login === 'in'), [], 'no PostgreSQL login without a password');
    assert.deepEqual(buildReport.files.filter((f) => f.result === 'readable'), [], 'no platform file is readable');
  });

  test('a dyno reaches only the router and its add-on servers; the platform\'s roles cannot log in; other dynos and files are out of reach', async () => {
    for (const plan of ['heroku-postgresql', 'heroku-redis']) {
      const made = await p.api('POST', '/apps/prober/addons', { plan });
      assert.equal(made.status, 201, JSON.stringify(made.body));
    }
    const scaled = await p.api('PATCH', '/apps/prober/formation', { updates: [{ type: 'web', quantity: 2 }, { type: 'worker', quantity: 1 }] });
    assert.equal(scaled.status, 200, JSON.stringify(scaled.body));
    await upDynos('prober', { web: 2, worker: 1 });
    // Both web dynos are listed: whichever answers tries the other one (and the victim).
    const siblings = [await dynoAddress('prober', 'web.1'), await dynoAddress('prober', 'web.2')];
    const r = await waitFor('the prober\'s report through the router', async () => {
      const x = await post('prober', '/probe', JSON.stringify({ pairs: [...(targets.pairs as object[]), ...siblings] }));
      return x.status === 200 ? JSON.parse(x.body) as Report : undefined;
    }, { timeoutMs: 60_000 });
    assert.ok(r.checked > 100, `it tried ${r.checked} addresses and ports`);
    assert.deepEqual(r.files.filter((f) => f.result === 'readable'), [], 'no platform file is readable');
    const open = unexpected(r, [5432, 6379]);
    assert.deepEqual(open, [], 'nothing but the add-on servers answered the dyno (not the sibling web.2, not the victim, no stand-in)');
    assert.ok(r.open.some((o) => o.port === 5432), 'its PostgreSQL add-on server is reachable');
    assert.deepEqual(r.postgres.filter((l) => l.login === 'in' || l.login === 'password'), [], `the platform's roles are refused whatever the password: ${JSON.stringify(r.postgres)}`);
    for (const redis of r.open.filter((o) => o.port === 6379)) assert.match(redis.reply, /^-NOAUTH/, 'Redis asks who is connecting');
  });

  test('the same dyno uses its own add-ons: a worker writes into Postgres, the web dyno reads it back and queues in Redis', async () => {
    const notes = await waitFor('the worker\'s note read back by web', async () => {
      const x = await p.viaRouter('prober', '/db/notes');
      return x.status === 200 && x.body.includes('written by worker.1') ? x.body : undefined;
    }, { timeoutMs: 30_000 });
    assert.deepEqual(JSON.parse(notes), ['written by worker.1']);
    const elsewhere = await p.viaRouter('prober', '/db/elsewhere');
    assert.match(JSON.parse(elsewhere.body), /^refused: .*no pg_hba\.conf entry/, 'its role reaches its own database only');
    const pushed = await post('prober', '/redis/push', 'job-1');
    assert.equal(pushed.status, 200, pushed.body);
    assert.deepEqual(JSON.parse(pushed.body), ['+OK', ':1']);
    const url = (await p.api('GET', '/apps/prober/config-vars')).body.REDIS_URL as string;
    const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      await redis.connect();
      assert.deepEqual(await redis.lrange(`${new URL(url).username}:jobs`, 0, -1), ['job-1']);
    } finally {
      redis.disconnect();
    }
    assert.match((await p.viaRouter('prober', '/')).body, /^"prober up on web\.[12]"$/);
  });

  test('a build reaches a package index on this host\'s loopback through the egress proxy when the operator allowed it, and another loopback port not at all', async () => {
    const python = { 'requirements.txt': 'paas-greeting==1.0\n', Procfile: 'web: python3 -m http.server $PORT\n' };
    assert.equal((await p.api('POST', '/apps', { name: 'py-allowed' })).status, 201);
    assert.equal((await p.api('PATCH', '/apps/py-allowed/config-vars', { PIP_INDEX_URL: index.url })).status, 200);
    const allowed = await p.push(await scratch.repo(python), 'py-allowed');
    assert.equal(allowed.code, 0, allowed.output);
    assert.match(allowed.output, /Successfully installed paas-greeting-1\.0/);
    assert.ok(index.requests.some((u) => u.startsWith('/simple/paas-greeting')), 'the index was asked, through the proxy');

    // The same index at a port the operator did not list: a stand-in that records whoever reaches it.
    const hits: string[] = [];
    const standIn = createHttpServer((req, res) => { hits.push(req.url ?? ''); res.end(); });
    await new Promise<void>((r) => standIn.listen(0, '127.0.0.1', r));
    try {
      assert.equal((await p.api('POST', '/apps', { name: 'py-refused' })).status, 201);
      const port = (standIn.address() as { port: number }).port;
      assert.equal((await p.api('PATCH', '/apps/py-refused/config-vars', { PIP_INDEX_URL: `http://127.0.0.1:${port}/simple/` })).status, 200);
      const refused = await p.push(await scratch.repo(python), 'py-refused');
      assert.notEqual(refused.code, 0, refused.output);
      assert.doesNotMatch(refused.output, /Successfully installed/);
      assert.deepEqual(hits, [], 'the proxy refused a loopback port the operator did not allow');
    } finally {
      await new Promise((r) => standIn.close(r));
    }
  });

  test('a dyno that binds every port of the range takes nothing from others: a new dyno of another app starts and answers', async () => {
    const hog = await post('prober', '/hog', '');
    assert.equal(hog.status, 200, hog.body);
    assert.ok(Number(hog.body) >= 9990, `the prober bound ${hog.body} ports of the range`);
    assert.equal((await p.api('PATCH', '/apps/victim/formation', { updates: [{ type: 'web', quantity: 2 }] })).status, 200);
    await upDynos('victim', { web: 2 });
    const seen = await waitFor('both victim dynos answering through the router', async () => {
      const bodies = new Set<string>();
      for (let i = 0; i < 12; i++) bodies.add((await p.viaRouter('victim')).body);
      return bodies.size === 2 ? [...bodies].sort() : undefined;
    }, { timeoutMs: 30_000 });
    assert.deepEqual(seen, ['node says hello from web.1', 'node says hello from web.2']);
  });
});
