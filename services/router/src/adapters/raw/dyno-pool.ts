import { connect, type Socket } from 'node:net';

/** Whoever holds a dyno connection gets its events (set for the time of one exchange). */
export interface DynoOwner {
  onDynoConnect(d: DynoSocket): void;
  onDynoData(d: DynoSocket, chunk: Buffer): void;
  onDynoDrain(d: DynoSocket): void;
  onDynoClose(d: DynoSocket): void;
}

/**
 * Every dyno connection reads into this one buffer (node's `onread`): no allocation and no stream
 * machinery per read. A read is handled before the next one, and whoever keeps or writes its
 * bytes on copies them first (response.ts).
 */
const READ_BUFFER = Buffer.allocUnsafe(64 * 1024);

/** Idle pooled connections unused this long are closed (dynos usually close theirs sooner). */
const IDLE_MS = 30_000;

/**
 * One raw keep-alive connection to a dyno. Its listeners are bound once, when it is opened, and
 * pass events to whoever holds it: handing a connection from request to request costs nothing.
 */
export class DynoSocket {
  owner: DynoOwner | null = null;
  /** It served a request before (a close on reuse may be the dyno's keep-alive timeout). */
  reused = false;
  connected = false;
  closed = false;
  /** The error that closed it, if one did (ECONNREFUSED...). */
  error: NodeJS.ErrnoException | undefined;
  idleSince = 0;

  constructor(readonly socket: Socket, readonly key: string, private readonly pool: DynoPool) {
    socket.setNoDelay(true);
    socket.on('connect', this.onConnect);
    socket.on('drain', this.onDrain);
    socket.on('error', this.onError);
    socket.on('close', this.onClose);
  }

  private readonly onConnect = (): void => {
    this.connected = true;
    this.owner?.onDynoConnect(this);
  };

  /** Bytes read into READ_BUFFER (the view is valid until this returns). */
  readonly onRead = (n: number, buf: Buffer): void => {
    if (this.owner !== null) this.owner.onDynoData(this, buf.subarray(0, n));
    else this.socket.destroy(); // bytes nobody asked for: the connection cannot be trusted on
  };

  private readonly onDrain = (): void => {
    this.owner?.onDynoDrain(this);
  };

  private readonly onError = (err: NodeJS.ErrnoException): void => {
    this.error ??= err;
  };

  private readonly onClose = (): void => {
    this.closed = true;
    const owner = this.owner;
    this.owner = null;
    if (owner !== null) owner.onDynoClose(this);
    else this.pool.forget(this);
  };

  /** Cuts the connection without telling its owner (the owner is the one cutting it). */
  discard(): void {
    this.owner = null;
    this.socket.destroy();
  }
}

/**
 * Keep-alive connections to dynos, per host:port, last used first (the pool stays as small as
 * the load needs). A connection goes back only when its last exchange ended cleanly.
 */
export class DynoPool {
  private readonly idle = new Map<string, DynoSocket[]>();
  private readonly sweep: NodeJS.Timeout;

  constructor() {
    this.sweep = setInterval(() => this.closeStale(), IDLE_MS / 3);
    this.sweep.unref();
  }

  /** An idle pooled connection to host:port (unless `fresh`), or a new one (then not yet connected). */
  lease(host: string, port: number, owner: DynoOwner, fresh = false): DynoSocket {
    const key = `${host}:${port}`;
    const list = fresh ? undefined : this.idle.get(key);
    if (list !== undefined) {
      while (list.length > 0) {
        const d = list.pop()!;
        if (d.closed || d.socket.destroyed) continue;
        d.owner = owner;
        d.reused = true;
        if (d.socket.isPaused()) d.socket.resume();
        return d;
      }
    }
    const d: DynoSocket = new DynoSocket(connect({ host, port, noDelay: true, onread: { buffer: READ_BUFFER, callback: (n, buf) => { d.onRead(n, buf as Buffer); return true; } } }), key, this);
    d.owner = owner;
    return d;
  }

  /** Takes a connection back after a clean exchange. */
  release(d: DynoSocket): void {
    d.owner = null;
    if (d.closed || d.socket.destroyed) return;
    d.idleSince = Date.now();
    const list = this.idle.get(d.key);
    if (list === undefined) this.idle.set(d.key, [d]);
    else list.push(d);
  }

  /** A pooled connection closed while idle: it is no longer offered. */
  forget(d: DynoSocket): void {
    const list = this.idle.get(d.key);
    if (list === undefined) return;
    const i = list.indexOf(d);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) this.idle.delete(d.key);
  }

  /** Closes every idle connection and stops the pool's timer. */
  close(): void {
    clearInterval(this.sweep);
    for (const list of this.idle.values()) for (const d of list) d.socket.destroy();
    this.idle.clear();
  }

  private closeStale(): void {
    const before = Date.now() - IDLE_MS;
    for (const list of this.idle.values()) {
      for (const d of list) if (d.idleSince < before) d.socket.destroy();
    }
  }
}
