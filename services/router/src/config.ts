import { messagingSettingsFromEnv, type MessagingSettings } from '@paas/messaging';
import { resolve } from 'node:path';

/** Everything the router service reads from its environment, validated at boot. */
export interface RouterSettings {
  messaging: MessagingSettings;
  /** Repos, blobs and dyno directories (PAAS_DATA_DIR). */
  dataDir: string;
  /** Where the router listens (PAAS_ROUTER_HOST, PAAS_ROUTER_PORT; port 0 = any free port, for tests). */
  host: string;
  port: number;
  /** Apps answer at <app>.<domain> (PAAS_DOMAIN). */
  domain: string;
  /** A dyno that has not accepted the connection by then is given up and another is tried (H19). */
  connectTimeoutMs: number;
  /** A dyno that has not started its response by then gets the request cut off (H12). */
  responseTimeoutMs: number;
  /** Once a response has started (or a WebSocket is open), this long without a byte either way cuts both sides (H15). */
  idleTimeoutMs: number;
  /** A dyno that refused or timed out a connection is skipped this long while another is up. */
  quarantineMs: number;
  /** How long the initial route table may take to load at boot before the router gives up. */
  routesLoadTimeoutMs: number;
  /** On shutdown, requests in flight get this long to finish before their connections are cut. */
  shutdownGraceMs: number;
  /** Router processes sharing the port (PAAS_ROUTER_PROCESSES); more than one uses more cores. */
  processes: number;
  /**
   * How requests are served (PAAS_ROUTER_DATA_PLANE): `auto` (default) is `native` when its addon
   * is built, else `raw`; `native` serves the usual request in C (native/src) and hands every other
   * connection to the raw plane; `raw` parses and relays
   * HTTP on the sockets in TypeScript and hands what it does not serve (Upgrade, Expect, HTTP/1.0)
   * to node:http; `node` serves everything with node:http.
   */
  dataPlane: DataPlane;
  /**
   * A listening socket the first router process opened and passed on (PAAS_ROUTER_LISTEN_FD, set by
   * processes.ts for the native data plane), else -1: router processes share one accept queue.
   */
  listenFd: number;
}

/** Reads the router's settings, failing at boot with what to set. */
export function routerSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): RouterSettings {
  return {
    messaging: messagingSettingsFromEnv(env),
    dataDir: resolve(env.PAAS_DATA_DIR || '.paas-data'),
    host: env.PAAS_ROUTER_HOST || '127.0.0.1',
    port: port(env, 'PAAS_ROUTER_PORT', 8080),
    domain: domain(env, 'PAAS_DOMAIN', 'localhost'),
    connectTimeoutMs: positiveMs(env, 'PAAS_ROUTER_CONNECT_TIMEOUT_MS', 5000),
    responseTimeoutMs: positiveMs(env, 'PAAS_ROUTER_RESPONSE_TIMEOUT_MS', 30_000),
    idleTimeoutMs: positiveMs(env, 'PAAS_ROUTER_IDLE_TIMEOUT_MS', 55_000),
    quarantineMs: positiveMs(env, 'PAAS_ROUTER_QUARANTINE_MS', 5000),
    routesLoadTimeoutMs: positiveMs(env, 'PAAS_ROUTER_ROUTES_TIMEOUT_MS', 30_000),
    shutdownGraceMs: positiveMs(env, 'PAAS_ROUTER_SHUTDOWN_GRACE_MS', 10_000),
    processes: processCount(env, 'PAAS_ROUTER_PROCESSES', 1),
    dataPlane: dataPlane(env, 'PAAS_ROUTER_DATA_PLANE'),
    listenFd: listenFd(env, 'PAAS_ROUTER_LISTEN_FD'),
  };
}

function processCount(env: NodeJS.ProcessEnv, key: string, fallback: number): number {
  const raw = env[key];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 64) {
    throw new Error(`${key}="${raw}" is not a number of processes: set a whole number from 1 to 64 (one per core is a good start; default ${fallback})`);
  }
  return n;
}

/** The router's data planes (RouterSettings.dataPlane). */
export type DataPlane = 'auto' | 'native' | 'raw' | 'node';

function dataPlane(env: NodeJS.ProcessEnv, key: string): DataPlane {
  const raw = env[key];
  if (raw === undefined || raw === '') return 'auto';
  if (raw === 'auto' || raw === 'native' || raw === 'raw' || raw === 'node') return raw;
  throw new Error(`${key}="${raw}" is not a data plane: set "auto" (default: native when built, else raw), "native" (the usual requests served in C), "raw" (all in TypeScript) or "node" (node:http for everything)`);
}

function listenFd(env: NodeJS.ProcessEnv, key: string): number {
  const raw = env[key];
  if (raw === undefined || raw === '') return -1;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 3) {
    throw new Error(`${key}="${raw}" is not an inherited socket: it is set by the first router process for the others (leave it unset)`);
  }
  return n;
}

function port(env: NodeJS.ProcessEnv, key: string, fallback: number): number {
  const raw = env[key];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 65535) {
    throw new Error(`${key}="${raw}" is not a TCP port: set a whole number from 0 to 65535 (default ${fallback})`);
  }
  return n;
}

function domain(env: NodeJS.ProcessEnv, key: string, fallback: string): string {
  const raw = env[key];
  if (raw === undefined || raw === '') return fallback;
  const d = raw.toLowerCase().replace(/\.$/, '');
  if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/.test(d)) {
    throw new Error(`${key}="${raw}" is not a domain name (apps answer at <app>.<domain>): e.g. set it to "localhost" or "apps.example.com"`);
  }
  return d;
}

function positiveMs(env: NodeJS.ProcessEnv, key: string, fallback: number): number {
  const raw = env[key];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) {
    throw new Error(`${key}="${raw}" is not a positive whole number of milliseconds (default ${fallback})`);
  }
  return n;
}
