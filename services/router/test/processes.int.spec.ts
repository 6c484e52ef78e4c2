import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFile, readdir, readlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { names } from '@paas/contracts';
import { connectNats, RouteTable, type NatsConnection } from '@paas/messaging';
import { cleanup, freePort, freshNamespace, waitFor } from '@paas/testing';
import { dynoRoute, startBackend, viaRouter, type Backend } from './harness.js';

const main = join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'main.js');


/** The pids of a process's children, from /proc. */
async function childrenOf(pid: number): Promise<number[]> {
  const out: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (ppid === pid) out.push(Number(entry));
  }
  return out;
}

/** True when process `pid` holds the socket listening on 127.0.0.1:`port` (from /proc/net/tcp and its fds). */
async function listensOn(pid: number, port: number): Promise<boolean> {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  const inodes = (await readFile('/proc/net/tcp', 'utf8')).split('\n').slice(1)
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => f[1]?.endsWith(`:${hexPort}`) && f[3] === '0A')
    .map((f) => f[9]);
  if (inodes.length === 0) return false;
  const fds = await readdir(`/proc/${pid}/fd`).catch(() => [] as string[]);
  const links = await Promise.all(fds.map((fd) => readlink(`/proc/${pid}/fd/${fd}`).catch(() => '')));
  return links.some((l) => inodes.some((inode) => l === `socket:[${inode}]`));
}

/** Names the step a failed request belongs to. */
const step = <T>(what: string, p: Promise<T>): Promise<T> => p.catch((err: Error) => { throw new Error(`${what}: ${err.message}`); });

describe('PAAS_ROUTER_PROCESSES: several router processes on one port', () => {
  const ns = freshNamespace('rproc');
  let nc: NatsConnection;
  let backend: Backend;
  let router: ChildProcess | undefined;
  let port: number;

  before(async () => {
    nc = await connectNats(process.env.NATS_URL ?? 'nats://127.0.0.1:4222', 'router-processes-test');
    const routes = await RouteTable.open(nc, names(ns));
    backend = await startBackend('multi-1');
    const appId = randomUUID();
    await routes.putApp({ appId, appName: 'multi', maintenance: false });
    await routes.putDyno(dynoRoute(appId, 'multi', 1, backend.port));
    port = await freePort();
    router = spawn(process.execPath, [main], {
      env: { ...process.env, PAAS_NAMESPACE: ns, PAAS_ROUTER_PORT: String(port), PAAS_ROUTER_PROCESSES: '2', PAAS_LOG_LEVEL: 'warn' },
      stdio: 'ignore',
    });
  });

  after(async () => {
    if (router && router.exitCode === null && router.signalCode === null) {
      const gone = new Promise((r) => router!.once('exit', r));
      router.kill('SIGKILL');
      await gone;
    }
    for (const pid of await childrenOf(router?.pid ?? -1).catch(() => [])) process.kill(pid, 'SIGKILL');
    await backend?.close();
    await nc?.close();
    await cleanup({ namespace: ns });
  });

  test('two processes serve, one that dies is replaced, SIGTERM stops them all', async () => {
    await waitFor('the router to serve', async () => (await viaRouter(port, 'multi.localhost').catch(() => undefined))?.status === 200, { timeoutMs: 30_000 });
    const workers = await waitFor('two router processes, both listening', async () => {
      const pids = await childrenOf(router!.pid!);
      return pids.length === 2 && (await Promise.all(pids.map((pid) => listensOn(pid, port)))).every(Boolean) ? pids : undefined;
    }, { timeoutMs: 30_000 });
    process.kill(workers[0]!, 'SIGKILL');
    await waitFor('the killed process to be gone', async () => !(await readFile(`/proc/${workers[0]}/stat`, 'utf8').then((st) => !st.includes(') Z '), () => false)));
    // The other process keeps serving while the dead one is replaced.
    assert.equal((await step('right after the kill', viaRouter(port, 'multi.localhost'))).status, 200);
    const replaced = await waitFor('a replacement process, listening', async () => {
      const pids = await childrenOf(router!.pid!);
      return pids.length === 2 && !pids.includes(workers[0]!) && (await Promise.all(pids.map((pid) => listensOn(pid, port)))).every(Boolean) ? pids : undefined;
    }, { timeoutMs: 30_000 });
    assert.ok(replaced.includes(workers[1]!));
    for (let i = 0; i < 20; i++) assert.equal((await step(`request ${i} after the replacement`, viaRouter(port, 'multi.localhost'))).status, 200);

    const exited = new Promise<number | null>((r) => router!.once('exit', (code) => r(code)));
    router!.kill('SIGTERM');
    assert.equal(await exited, 0);
    await waitFor('every router process to be gone', async () => (await Promise.all(replaced.map((pid) => readFile(`/proc/${pid}/stat`).then(() => true, () => false)))).every((alive) => !alive));
  });
});
