import { randomUUID } from 'node:crypto';
import { createServer, request, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import type { DynoRoute } from '@paas/contracts';
import { testMessagingSettings } from '@paas/testing';
import { createRouterApp, routerPort, routerSettingsFromEnv, type RouterSettings } from '../src/index.js';

/**
 * Router settings for a spec: its namespace, any free port, the default domain, and the data plane
 * PAAS_ROUTER_DATA_PLANE names (raw by default), so the specs can be run against either.
 */
export function routerSettings(namespace: string, over: Partial<RouterSettings> = {}): RouterSettings {
  return { ...routerSettingsFromEnv({ PAAS_ROUTER_PORT: '0', PAAS_ROUTER_DATA_PLANE: process.env.PAAS_ROUTER_DATA_PLANE }), messaging: testMessagingSettings(namespace), shutdownGraceMs: 2000, ...over };
}

/** A router booted in-process, with the port it listens on. */
export async function startRouter(settings: RouterSettings): Promise<{ app: INestApplication; port: number }> {
  const app = await createRouterApp(settings);
  return { app, port: routerPort(app) };
}

/** A request as a backend saw it. */
export interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
}

/** A real HTTP server standing in for a dyno: answers with its name unless given a handler. */
export interface Backend {
  name: string;
  port: number;
  seen: Seen[];
  close(): Promise<void>;
}

export async function startBackend(name: string, handler?: (req: IncomingMessage, res: ServerResponse) => void, onPort = 0): Promise<Backend> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    seen.push({ method: req.method!, url: req.url!, headers: req.headers });
    if (handler) return handler(req, res);
    req.resume();
    res.end(name);
  });
  const port = await listen(server, onPort);
  return {
    name, port, seen,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

/** A loopback port nothing listens on (bound, then released), standing in for a dead dyno. */
export async function closedPort(): Promise<number> {
  const s = createServer();
  const port = await listen(s);
  await new Promise((r) => s.close(r));
  return port;
}

function listen(server: Server, port = 0): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

/** A dyno route entry for an app's web dyno listening on a loopback port. */
export function dynoRoute(appId: string, appName: string, n: number, port: number): DynoRoute {
  return { appId, appName, dynoId: `d${n}-${randomUUID().slice(0, 8)}`, dyno: `web.${n}`, releaseVersion: 1, state: 'up', host: '127.0.0.1', port };
}

export interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** One request to the router on its own connection, with the given Host header. */
export function viaRouter(port: number, host: string, o: { method?: string; path?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: o.method ?? 'GET', path: o.path ?? '/', agent: false, headers: { host, ...o.headers } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(o.body);
  });
}

/** A promise with its resolve function, for one side of a test to let the other go on. */
export function gate<T = void>(): { promise: Promise<T>; open: (v: T) => void } {
  let open!: (v: T) => void;
  const promise = new Promise<T>((r) => { open = r; });
  return { promise, open };
}
