import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import type { Names } from '@paas/contracts';
import { NAMES, NATS_CONNECTION, type NatsConnection } from '@paas/messaging';
import type { RouterSettings } from '../config.js';
import type { RoutingTable } from '../domain/routing-table.js';
import { ROUTING_TABLE, SETTINGS } from '../tokens.js';
import { RouterProxy } from './proxy.js';
import { RouterLog } from './router-log.js';
import { RouterTunnel, writePage } from './tunnel.js';
import { Quarantine } from '../domain/quarantine.js';
import { LIMITS } from '../domain/limits.js';
import { badRequestPage, restrictionPage } from '../domain/router-errors.js';
import { RawDataPlane } from './raw/data-plane.js';
import { NativePlane, resolveDataPlane, type NativePlaneStats } from './native/native-plane.js';

/**
 * The router's own node:http server. Nest only hosts it: proxy traffic never goes through Nest or
 * Express, so nothing buffers bodies or adds middleware on the hot path. It listens once the
 * application has booted (after the route table loaded) and stops accepting on shutdown.
 */
@Injectable()
export class ProxyServer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly log = new Logger('router');
  private readonly proxy: RouterProxy;
  private readonly server: Server;
  private readonly tunnel: RouterTunnel;
  private readonly routerLog: RouterLog;
  private readonly raw: RawDataPlane | undefined;
  private native: NativePlane | undefined;
  /** Connections the raw plane gave to node:http (WebSockets, Expect, HTTP/1.0): shutdown waits for them too. */
  private readonly handedToNode = new Set<Socket>();
  private readonly plane: 'native' | 'raw' | 'node';

  constructor(
    @Inject(SETTINGS) private readonly settings: RouterSettings,
    @Inject(ROUTING_TABLE) private readonly table: RoutingTable,
    @Inject(NATS_CONNECTION) nc: NatsConnection,
    @Inject(NAMES) names: Names,
  ) {
    const routerLog = new RouterLog(nc, names);
    this.routerLog = routerLog;
    const quarantine = new Quarantine(settings.quarantineMs);
    this.proxy = new RouterProxy({
      domain: settings.domain, connectTimeoutMs: settings.connectTimeoutMs, responseTimeoutMs: settings.responseTimeoutMs,
      idleTimeoutMs: settings.idleTimeoutMs, quarantine, table, log: (appId, line) => routerLog.publish(appId, line),
    });
    this.tunnel = new RouterTunnel({
      domain: settings.domain, connectTimeoutMs: settings.connectTimeoutMs, responseTimeoutMs: settings.responseTimeoutMs,
      idleTimeoutMs: settings.idleTimeoutMs, quarantine, table, log: (appId, line) => routerLog.publish(appId, line),
    });
    // requestTimeout 0: a long upload or stream is the app's business, not a reason to cut it.
    // Heads up to 64 KiB are parsed so the per-line limits (limits.ts) can answer 414/431 with a log
    // line; anything bigger is cut by node's parser and answered in onClientError.
    this.server = createServer({ requestTimeout: 0, maxHeaderSize: 64 * 1024 }, this.proxy.handle);
    // One past the limit, so that a request with too many headers is seen as such, not silently truncated.
    this.server.maxHeadersCount = LIMITS.headers + 1;
    this.server.on('clientError', onClientError);
    this.server.on('upgrade', this.tunnel.handle);
    const { plane, fallback } = resolveDataPlane(settings.dataPlane);
    this.plane = plane;
    if (fallback) this.log.warn(fallback);
    if (plane !== 'node') this.raw = this.rawDataPlane(quarantine, table, routerLog);
  }

  /**
   * The raw data plane takes every accepted connection; node:http's own connection handler gets
   * those it hands over (Upgrade, Expect, HTTP/1.0...), with the bytes read so far put back.
   */
  private rawDataPlane(quarantine: Quarantine, table: RoutingTable, routerLog: RouterLog): RawDataPlane {
    const { settings, server } = this;
    const nodeConnection = server.listeners('connection')[0] as (socket: Socket) => void;
    const raw = new RawDataPlane({
      domain: settings.domain, connectTimeoutMs: settings.connectTimeoutMs, responseTimeoutMs: settings.responseTimeoutMs,
      idleTimeoutMs: settings.idleTimeoutMs, quarantine, table, log: (appId, line) => routerLog.publish(appId, line),
      logJson: (appId, jsonLine) => routerLog.publishJson(appId, jsonLine),
      handOver: (socket, buffered) => {
        this.handedToNode.add(socket);
        socket.once('close', () => this.handedToNode.delete(socket));
        socket.pause();
        if (buffered !== null && buffered.length > 0) socket.unshift(buffered);
        nodeConnection.call(server, socket);
        socket.resume();
      },
    });
    server.removeListener('connection', nodeConnection);
    server.on('connection', raw.accept);
    return raw;
  }

  async onApplicationBootstrap(): Promise<void> {
    const { host, port, domain } = this.settings;
    if (this.plane === 'native') return this.startNative();
    await new Promise<void>((resolve, reject) => {
      const refuse = (err: Error) => reject(new Error(
        `the router cannot listen on ${host}:${port} (${err.message}); free that port or set PAAS_ROUTER_PORT / PAAS_ROUTER_HOST`));
      this.server.once('error', refuse);
      this.server.listen(port, host, () => {
        this.server.off('error', refuse);
        resolve();
      });
    });
    if (this.raw) this.raw.listenPort = this.port();
    this.server.on('error', (err) => this.log.error(`router server error: ${err.message}; still serving`));
    this.log.log(`routing http://<app>.${domain}:${this.port()}/ on ${host}:${this.port()}`);
  }

  /**
   * The native data plane listens and serves the usual requests; it hands every other connection
   * to the raw plane (which hands Upgrade, Expect and HTTP/1.0 on to node:http).
   */
  private startNative(): void {
    const { settings, raw } = this;
    const { host, port, domain } = settings;
    try {
      this.native = new NativePlane({
        host, port, listenFd: settings.listenFd,
        connectTimeoutMs: settings.connectTimeoutMs, responseTimeoutMs: settings.responseTimeoutMs,
        idleTimeoutMs: settings.idleTimeoutMs, quarantineMs: settings.quarantineMs, table: this.table,
        handOver: (socket, buffered) => raw!.takeOver(socket, buffered),
        publishLog: (appId, payload) => this.routerLog.publishMessage(appId, payload),
        onError: (message) => this.log.error(message),
      });
    } catch (err) {
      throw new Error(`the router cannot listen on ${host}:${port} (${(err as Error).message}); free that port or set PAAS_ROUTER_PORT / PAAS_ROUTER_HOST`);
    }
    raw!.listenPort = this.native.port;
    this.log.log(`routing http://<app>.${domain}:${this.native.port}/ on ${host}:${this.native.port} (native data plane)`);
  }

  /** The native data plane's counters, when it runs (tests and benchmarks read them). */
  nativeStats(): NativePlaneStats | undefined {
    return this.native?.stats();
  }

  /** The port the router is bound to (the real one when settings asked for port 0). */
  port(): number {
    if (this.native) return this.native.port;
    return (this.server.address() as AddressInfo | null)?.port ?? this.settings.port;
  }

  /** Stops accepting, lets requests in flight finish for the grace period, then cuts what is left. */
  async beforeApplicationShutdown(): Promise<void> {
    const until = Date.now() + this.settings.shutdownGraceMs;
    let serverClosed = !this.server.listening;
    if (!serverClosed) this.server.close(() => { serverClosed = true; });
    this.native?.closeIdle();
    this.raw?.closeIdle();
    this.server.closeIdleConnections();
    // node:http's close counts only what it accepted itself; the data planes' connections, and those
    // they handed to node:http, are counted here. A keep-alive connection that just finished its
    // request is closed on the next turn rather than held until its keep-alive timeout.
    while (Date.now() < until && (!serverClosed || this.busyConnections() > 0)) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      this.server.closeIdleConnections();
    }
    this.cutAll();
    this.proxy.close();
    this.routerLog.flush();
  }

  /** Connections still open on the data planes, handed-over ones included. */
  private busyConnections(): number {
    return (this.native?.connections() ?? 0) + (this.raw?.conns.size ?? 0) + this.handedToNode.size;
  }

  /** The end of the grace period: every connection left is cut. */
  private cutAll(): void {
    this.server.closeAllConnections();
    this.tunnel.closeAll();
    this.raw?.close();
    this.native?.close();
  }
}

/** A request node's parser refused (head too big, malformed): a proper answer instead of a reset. */
function onClientError(err: NodeJS.ErrnoException, socket: Duplex): void {
  socket.on('error', () => undefined);
  if (err.code === 'ECONNRESET' || !socket.writable) return void socket.destroy();
  const page = err.code === 'HPE_HEADER_OVERFLOW'
    ? restrictionPage(431, `The request head is larger than ${64} KiB.`)
    : badRequestPage('The request could not be parsed as HTTP/1.1.');
  writePage(socket, page);
}
