import { closeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Socket } from 'node:net';
import type { DataPlane } from '../../config.js';
import type { RoutingTable, ServableTable } from '../../domain/routing-table.js';
import { badRequestPage, errorPage, type RouterErrorCode } from '../../domain/router-errors.js';
import { HEAD_TIMEOUT_MS, KEEP_ALIVE_MS } from '../raw/data-plane.js';

/** A running native plane, as the addon knows it. */
type Handle = { readonly __nativePlane: unique symbol };

/** The addon's surface (native/src/addon.c). */
interface Binding {
  start(o: StartOptions): Handle;
  port(h: Handle): number;
  /** A listening socket on host:port for several processes to share (its fd). */
  listen(host: string, port: number): number;
  setTable(h: Handle, t: ServableTable): void;
  takeLogs(h: Handle): string[] | null;
  closeIdle(h: Handle): void;
  /** Cuts every connection; returns the last log messages. */
  close(h: Handle): string[];
  connections(h: Handle): number;
  stats(h: Handle): NativePlaneStats;
  /** The pure parts, for the differential tests: the dyno's head for a request head, or null (handed over). */
  rewriteRequest(head: Buffer, client: string, port: number, receivedAt: number, generatedId: string):
    { head: string; host: string; kind: number; length: number; close: number } | null;
  /** The client's head and the framing for a response head, or null (H13). */
  rewriteResponse(head: Buffer, headRequest: boolean, closeWanted: boolean):
    { head: string; status: number; kind: number; length: number; keepAlive: number; interim: number; closeClient: number } | null;
  /** Feeds a chunked body cut at `cuts`: each feed's result, then the data bytes. */
  chunkedEnds(body: Buffer, cuts: number[]): number[];
}

/** What a native plane did since it started. */
export interface NativePlaneStats {
  /** Client connections accepted. */
  accepted: number;
  /** Requests it served itself. */
  requests: number;
  /** Connections it handed to the TypeScript plane. */
  handedOver: number;
}

/** What the addon's start() takes: the plane's options as given, less what stays on this side, plus the texts it answers with. */
type StartOptions = Omit<NativePlaneOptions, 'table' | 'handOver' | 'publishLog' | 'onError'> & {
  keepAliveMs: number;
  headTimeoutMs: number;
  /** Prefix and suffix around the request id of the Application Error page, for H12, H13, H19 and H21. */
  pages: string[];
  badChunkedPage: string;
  handOver: (fd: number, buffered: Buffer | null) => void;
};

const ADDON = '../../../../native/build/Release/paas_router_plane.node';

let loaded: Binding | Error | undefined;

export type NativeBinding = Binding;

/** The addon, or why it cannot be had. */
export function nativeBinding(): Binding | Error {
  if (loaded === undefined) {
    try {
      loaded = createRequire(import.meta.url)(ADDON) as Binding;
    } catch (err) {
      loaded = new Error(`the native data plane is not built (${(err as Error).message.split('\n')[0]}): run \`npm run build\`, which builds it with node-gyp and the C compiler`);
    }
  }
  return loaded;
}

/**
 * The plane a router runs: `auto` is native when the addon loads, else raw (`fallback` says why);
 * native asked for by name and not built is an error that says how to build it.
 */
export function resolveDataPlane(plane: DataPlane, binding: Binding | Error = nativeBinding()): { plane: 'native' | 'raw' | 'node'; fallback?: string } {
  if (plane !== 'auto' && plane !== 'native') return { plane };
  if (!(binding instanceof Error)) return { plane: 'native' };
  if (plane === 'native') throw binding;
  return { plane: 'raw', fallback: `${binding.message}; serving with the TypeScript data plane (slower) meanwhile` };
}

/** A listening socket for several router processes to share, opened by the process that starts them. */
export function sharedListenSocket(host: string, port: number): number {
  const binding = nativeBinding();
  if (binding instanceof Error) throw binding;
  return binding.listen(host, port);
}

export interface NativePlaneOptions {
  host: string;
  port: number;
  /** A listening socket inherited from the process that started this one (several router processes), else -1. */
  listenFd: number;
  connectTimeoutMs: number;
  responseTimeoutMs: number;
  idleTimeoutMs: number;
  quarantineMs: number;
  table: RoutingTable;
  /** A connection the native plane does not serve, with the bytes read from it so far. */
  handOver: (socket: Socket, buffered: Buffer | null) => void;
  /** Publishes one log message (a LogLine, or a JSON array of them) to the app's log subject. */
  publishLog: (appId: string, payload: string) => void;
  /** Reports a failure that cost one connection. */
  onError: (message: string) => void;
}

/** Log messages are collected from the native plane this often (as router-log.ts batches). */
const LOG_EVERY_MS = 20;

/**
 * The native data plane (native/src): it listens, serves the usual request (HTTP/1.1, a length
 * or chunked body, an app with up web dynos) in C on Node's own event loop, and hands every other
 * connection, before acting on it, to the TypeScript plane as a socket with the bytes read so far.
 * It keeps a copy of the servable part of the route table, taken after every change.
 */
export class NativePlane {
  private readonly binding: Binding;
  private readonly handle: Handle;
  private readonly logTimer: NodeJS.Timeout;
  private tablePending = false;
  private closed = false;
  readonly port: number;

  constructor(private readonly o: NativePlaneOptions) {
    const binding = nativeBinding();
    if (binding instanceof Error) throw binding;
    this.binding = binding;
    this.handle = binding.start({
      host: o.host, port: o.port, listenFd: o.listenFd,
      connectTimeoutMs: o.connectTimeoutMs, responseTimeoutMs: o.responseTimeoutMs, idleTimeoutMs: o.idleTimeoutMs,
      quarantineMs: o.quarantineMs, keepAliveMs: KEEP_ALIVE_MS, headTimeoutMs: HEAD_TIMEOUT_MS,
      pages: (['H12', 'H13', 'H19', 'H21'] as RouterErrorCode[]).flatMap((code) => errorPage(code, '\0').body.split('\0')),
      badChunkedPage: badRequestPage('The chunked request body is malformed.').body,
      handOver: (fd, buffered) => this.handOver(fd, buffered),
    });
    this.port = binding.port(this.handle);
    binding.setTable(this.handle, o.table.servable());
    o.table.onChange(() => this.tableChanged());
    this.logTimer = setInterval(() => this.flushLogs(), LOG_EVERY_MS);
    this.logTimer.unref();
  }

  /** Connections the native plane serves now. */
  connections(): number {
    return this.closed ? 0 : this.binding.connections(this.handle);
  }

  /** What it did since it started (zeros once closed). */
  stats(): NativePlaneStats {
    return this.closed ? { accepted: 0, requests: 0, handedOver: 0 } : this.binding.stats(this.handle);
  }

  /** Shutdown, first step: no more accepting; idle connections close now, busy ones after their exchange. */
  closeIdle(): void {
    if (!this.closed) this.binding.closeIdle(this.handle);
  }

  /** Shutdown, last step: every connection is cut, the last log lines sent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.logTimer);
    this.publish(this.binding.close(this.handle));
  }

  /** Sends the log messages the native plane has gathered. */
  flushLogs(): void {
    if (!this.closed) this.publish(this.binding.takeLogs(this.handle));
  }

  private publish(logs: string[] | null): void {
    if (logs === null) return;
    for (let i = 0; i + 1 < logs.length; i += 2) this.o.publishLog(logs[i]!, logs[i + 1]!);
  }

  /** A connection for the TypeScript plane; one it cannot take is closed, never left open or thrown into the C loop. */
  private handOver(fd: number, buffered: Buffer | null): void {
    let socket: Socket | undefined;
    try {
      socket = new Socket({ fd, readable: true, writable: true });
      this.o.handOver(socket, buffered);
    } catch (err) {
      if (socket) socket.destroy();
      else closeSync(fd);
      this.o.onError(`a connection the native data plane handed over could not be served (${(err as Error).message}); it was closed`);
    }
  }

  /** Changes come one key at a time: the copy is taken once they have settled for this turn of the loop. */
  private tableChanged(): void {
    if (this.tablePending || this.closed) return;
    this.tablePending = true;
    setImmediate(() => {
      this.tablePending = false;
      if (!this.closed) this.binding.setTable(this.handle, this.o.table.servable());
    });
  }
}
