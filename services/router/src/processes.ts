import cluster, { type Worker } from 'node:cluster';
import { Logger } from '@nestjs/common';
import type { RouterSettings } from './config.js';
import { resolveDataPlane, sharedListenSocket } from './adapters/native/native-plane.js';

const RESTART_DELAY_MS = 1000;

/**
 * Runs `count` router processes sharing one listening port (node:cluster hands connections out),
 * each with its own route table watch: more cores for the data plane, nothing shared but the
 * port. A process that dies is replaced; SIGTERM/SIGINT stop them all, each finishing its
 * requests in flight first.
 */
export function runRouterProcesses(count: number, settings: RouterSettings): void {
  const log = new Logger('router');
  // Each process accepts from the shared socket itself: a connection is never handed to a
  // process that is just dying (round-robin through the primary can lose one that way).
  cluster.schedulingPolicy = cluster.SCHED_NONE;
  if (resolveDataPlane(settings.dataPlane).plane === 'native') {
    // The native plane listens itself, not through node:cluster: this process opens the socket and
    // each router process inherits it as fd 4 and accepts from it. One accept queue for all: a
    // process that dies leaves its waiting connections to the others, which SO_REUSEPORT would reset.
    let fd: number;
    try {
      fd = sharedListenSocket(settings.host, settings.port);
    } catch (err) {
      log.error(`the router cannot listen on ${settings.host}:${settings.port} (${(err as Error).message}); free that port or set PAAS_ROUTER_PORT / PAAS_ROUTER_HOST`);
      process.exit(1);
    }
    cluster.setupPrimary({ stdio: ['inherit', 'inherit', 'inherit', 'ipc', fd] });
    process.env.PAAS_ROUTER_LISTEN_FD = '4';
  }
  let stopping = false;
  const fork = (): Worker => cluster.fork();
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
      return;
    }
    log.error(`router process ${worker.process.pid} exited (${signal ?? `code ${code}`}); starting another in ${RESTART_DELAY_MS} ms`);
    setTimeout(fork, RESTART_DELAY_MS);
  });
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log.log(`${signal} received, stopping ${count} router processes`);
    const workers = Object.values(cluster.workers ?? {});
    if (workers.length === 0) process.exit(0);
    for (const w of workers) w?.process.kill(signal);
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  for (let i = 0; i < count; i++) fork();
  log.log(`started ${count} router processes`);
}
