import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import { ClientConnection } from './client-connection.js';
import { DynoPool } from './dyno-pool.js';
import type { ProxyOptions } from '../proxy.js';

/** What the raw data plane needs besides the proxy's options. */
export interface DataPlaneOptions extends ProxyOptions {
  /** Gives a connection (with the bytes read from it so far) to the node:http server, which serves it from then on. */
  handOver: (socket: Socket, buffered: Buffer | null) => void;
  /** Publishes one log line given as the inside of a JSON string (routerLogLineJson); must not block or throw. */
  logJson: (appId: string, jsonLine: string) => void;
}

/** Between requests, a client connection is kept this long (node's keepAliveTimeout). */
export const KEEP_ALIVE_MS = 5000;
/** A request head must arrive within this long of its first byte (node's headersTimeout). */
export const HEAD_TIMEOUT_MS = 60_000;

/**
 * The router's raw data plane: client connections served on their sockets with a small strict
 * parser, requests written as one buffer to pooled raw dyno connections, responses relayed by
 * their framing. No per-request timers: one sweep walks the open connections and acts on the
 * deadline each has (connect H19, first byte H12, idle H15, keep-alive), at a tenth of the
 * smallest timeout (10 ms to 250 ms), so small test timeouts still hold.
 */
export class RawDataPlane {
  readonly conns = new Set<ClientConnection>();
  readonly pool = new DynoPool();
  readonly random: () => number;
  readonly newRequestId: () => string;
  private readonly sweep: NodeJS.Timeout;
  draining = false;
  /** The port the router listens on, once it does (0 until then): every client connection's local port. */
  listenPort = 0;

  constructor(readonly o: DataPlaneOptions) {
    this.random = o.random ?? Math.random;
    this.newRequestId = o.newRequestId ?? randomUUID;
    const smallest = Math.min(o.connectTimeoutMs, o.responseTimeoutMs, o.idleTimeoutMs, KEEP_ALIVE_MS);
    this.sweep = setInterval(() => this.onSweep(), Math.min(250, Math.max(10, Math.floor(smallest / 10))));
    this.sweep.unref();
  }

  /** Serves a newly accepted client connection. */
  readonly accept = (socket: Socket): void => {
    if (this.draining) return void socket.destroy();
    this.conns.add(new ClientConnection(this, socket));
  };

  /** Serves a connection another plane read `buffered` from and did not act on. */
  takeOver(socket: Socket, buffered: Buffer | null): void {
    if (this.draining) return void socket.destroy();
    const c = new ClientConnection(this, socket);
    this.conns.add(c);
    if (buffered !== null && buffered.length > 0) c.take(buffered);
  }

  /** Shutdown, first step: idle connections are closed, busy ones after their current exchange. */
  closeIdle(): void {
    this.draining = true;
    for (const c of this.conns) c.drain();
  }

  /** Shutdown, last step: every connection is cut and the dyno pool closed. */
  close(): void {
    clearInterval(this.sweep);
    for (const c of this.conns) c.socket.destroy();
    this.pool.close();
  }

  private onSweep(): void {
    const now = Date.now();
    for (const c of this.conns) if (c.deadline !== 0 && now >= c.deadline) c.onDeadline(now);
  }
}
