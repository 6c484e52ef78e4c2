import type { Socket } from 'node:net';
import { forwardedFor } from '../../domain/forward-headers.js';
import { clientAddress, hostWithoutPort } from '../../domain/host.js';
import { countOf, isHeadError, parseRequestHead, requestFraming, valuesOf, type ParsedHead } from '../../domain/http-head.js';
import { connectionHas, dynoRequestHead } from '../../domain/head-rewrite.js';
import { limitBreach } from '../../domain/limits.js';
import { requestIdFor } from '../../domain/request-id.js';
import { badRequestPage, errorPage, noSuchAppPage, restrictionPage, ROUTER_ERRORS, type RouterErrorCode, type RouterPage } from '../../domain/router-errors.js';
import type { RawDataPlane } from './data-plane.js';
import { HEAD_TIMEOUT_MS, KEEP_ALIVE_MS } from './data-plane.js';
import type { DynoOwner, DynoSocket } from './dyno-pool.js';
import { CHUNKED, DONE, LENGTH, MAX_HEAD, NO_BODY, RawExchange, SENDING, WAITING, writeRawPage } from './exchange.js';
import { onDynoBytes } from './response.js';
import { connectToDyno, deadlinePassed, dynoClosed, PAUSE_DYNO, PAUSE_PIPELINED, sendRequest } from './upstream.js';

const CRLF2 = Buffer.from('\r\n\r\n');

/**
 * One client connection on the raw data plane: heads parsed here, requests sent to a dyno over a
 * pooled connection, responses relayed (response.ts); keep-alive and pipelining in order. What
 * this plane does not serve (Upgrade, Expect, HTTP/1.0, unusual framing) is handed to the node:http
 * server with the bytes read so far, before anything of the request was acted on.
 */
export class ClientConnection implements DynoOwner {
  /** Unparsed bytes: the next request's head, or what came behind the request in flight. */
  buf: Buffer | null = null;
  x: RawExchange | null = null;
  /** When the sweep acts on this connection (0: never): head/keep-alive timeout, H19, H12, H15. */
  deadline: number;
  readonly client: string;
  readonly localPort: number;
  private parsing = false;
  /** When the head being read began to arrive (0: none being read). */
  private headSince = 0;
  /** How much of buf was already searched for the end of a head (less 3 bytes, for a CRLF CRLF across chunks). */
  private scanned = 0;
  /** The buffer a head arriving in pieces is gathered in, and how much of it is written. */
  private acc: Buffer | null = null;
  private accLen = 0;
  private draining = false;
  private gone = false;
  /** Reading from the client is paused for: the dyno's backpressure, a connect, too much pipelined. */
  private pausedFor = 0;

  constructor(readonly plane: RawDataPlane, readonly socket: Socket) {
    this.client = clientAddress(socket.remoteAddress);
    // The listener's port when known: socket.localPort is a getsockname call per connection.
    this.localPort = plane.listenPort || (socket.localPort ?? 0);
    this.deadline = Date.now() + HEAD_TIMEOUT_MS;
    socket.setNoDelay(true);
    socket.on('data', this.onData);
    socket.on('end', this.onEnd);
    socket.on('close', this.onClose);
    socket.on('drain', this.onDrain);
    socket.on('error', noop);
  }

  /** Bytes read from this connection before it came here (from another plane), as if just read. */
  take(buffered: Buffer): void {
    this.onData(buffered);
  }

  // ---- client socket events --------------------------------------------------------------

  private readonly onData = (chunk: Buffer): void => {
    if (this.gone) return; // answered and closing: nothing more is read
    const x = this.x;
    if (x !== null) {
      x.lastActivity = Date.now();
      if (!x.reqDone) {
        const rest = this.relayRequestBody(x, chunk);
        if (rest === null) return;
        chunk = rest;
      }
      this.append(chunk);
      if (this.buf!.length > MAX_HEAD) this.pause(PAUSE_PIPELINED);
      return;
    }
    this.append(chunk);
    this.parseNext();
  };

  /**
   * Adds chunk to the unparsed bytes. Usually a head comes whole in one chunk and nothing is
   * copied; one that comes in pieces grows one buffer by doubling, so a head trickled byte by
   * byte costs linear copying, not quadratic.
   */
  private append(chunk: Buffer): void {
    const buf = this.buf;
    if (buf === null) {
      this.buf = chunk;
      this.scanned = 0;
      return;
    }
    const len = buf.length + chunk.length;
    const acc = this.acc;
    if (acc !== null && buf.buffer === acc.buffer && buf.byteOffset + buf.length === acc.byteOffset + this.accLen &&
      this.accLen + chunk.length <= acc.length) {
      chunk.copy(acc, this.accLen);
      this.accLen += chunk.length;
      this.buf = acc.subarray(this.accLen - len, this.accLen);
      return;
    }
    const next = Buffer.allocUnsafe(Math.max(4096, len * 2));
    buf.copy(next, 0);
    chunk.copy(next, buf.length);
    this.acc = next;
    this.accLen = len;
    this.buf = next.subarray(0, len);
  }

  /**
   * The client half-closed: like node's server, a request in flight is given up (H27). A socket
   * whose end we already sent closes by itself once both halves are done; a second end() would
   * only build an ERR_STREAM_ALREADY_FINISHED error with its stack (measured: 4.5% of the
   * router's time without keep-alive).
   */
  private readonly onEnd = (): void => {
    if (this.x !== null) this.socket.destroy();
    else if (!this.socket.writableEnded) this.socket.end();
  };

  private readonly onClose = (): void => {
    this.gone = true;
    this.plane.conns.delete(this);
    const x = this.x;
    if (x === null || x.phase === DONE) return;
    this.x = null;
    x.phase = DONE;
    x.upstream?.discard();
    x.upstream = null;
    if (x.headSent) this.record(x, x.status ?? 499);
    else this.record(x, ROUTER_ERRORS.H27.status, 'H27');
  };

  private readonly onDrain = (): void => {
    const d = this.x?.upstream;
    if (d && d.socket.isPaused()) d.socket.resume();
  };

  // ---- request heads --------------------------------------------------------------------

  /** Serves the complete heads in buf, one exchange at a time. */
  parseNext(): void {
    if (this.parsing) return;
    this.parsing = true;
    try {
      while (this.x === null && this.buf !== null && !this.gone) {
        let buf = this.buf;
        let skip = 0;
        while (skip + 1 < buf.length && buf[skip] === 13 && buf[skip + 1] === 10) skip += 2; // empty lines before a request
        if (skip > 0) {
          buf = buf.subarray(skip);
          this.buf = buf.length > 0 ? buf : null;
          this.scanned = 0;
          if (this.buf === null) break;
        }
        const end = buf.indexOf(CRLF2, this.scanned);
        if (end < 0) {
          this.scanned = Math.max(0, buf.length - 3);
          if (buf.length > MAX_HEAD) return this.refuse(restrictionPage(431, 'The request head is larger than 64 KiB.'));
          // The whole head must come within HEAD_TIMEOUT_MS of its first byte, however slowly it trickles.
          if (this.headSince === 0) this.headSince = Date.now();
          this.deadline = this.headSince + HEAD_TIMEOUT_MS;
          break;
        }
        this.headSince = 0;
        this.scanned = 0;
        this.buf = end + 4 < buf.length ? buf.subarray(end + 4) : null;
        this.startRequest(buf, end);
      }
    } finally {
      this.parsing = false;
    }
  }

  private startRequest(buf: Buffer, end: number): void {
    const h = parseRequestHead(buf.toString('latin1', 0, end));
    if (isHeadError(h)) return this.refuse(badRequestPage(h.error));
    const framing = requestFraming(h);
    if (h.minor === 0 || isHeadError(framing) || h.method === 'CONNECT' || countOf(h, 'expect') > 0 ||
      (connectionHas(h, 'upgrade') && countOf(h, 'upgrade') > 0)) {
      return this.handOver(buf);
    }
    const receivedAt = Date.now();
    const hostValue = valuesOf(h, 'host') ?? '';
    const x = new RawExchange(h.method, h.target, hostWithoutPort(hostValue).toLowerCase(), receivedAt);
    x.requestId = requestIdFor(countOf(h, 'x-request-id') === 1 ? valuesOf(h, 'x-request-id') : undefined, this.plane.newRequestId);
    const xff = valuesOf(h, 'x-forwarded-for');
    x.fwd = xff === undefined ? this.client : forwardedFor({ 'x-forwarded-for': xff }, this.client);
    x.requestBody(framing.kind === 'chunked' ? CHUNKED : framing.kind === 'length' ? LENGTH : NO_BODY, framing.kind === 'length' ? framing.length : 0);
    x.clientClose = connectionHas(h, 'close');
    if (countOf(h, 'host') !== 1) return this.answer(x, badRequestPage('A request needs exactly one Host header.'));
    const target = this.plane.o.table.route(hostValue);
    x.appId = target?.app.appId;
    const breach = limitBreach(h.method, h.target, '1.1', h.raw);
    if (breach) {
      x.reqDone = false; // its body, if any, is not read: the connection closes
      this.answer(x, restrictionPage(breach.status, breach.reason));
      return this.record(x, breach.status, 'H25');
    }
    if (!target) return this.answer(x, noSuchAppPage(x.host));
    if (target.app.maintenance) return this.fail(x, 'H80');
    if (target.dynos.length === 0) return this.fail(x, target.crashed > 0 ? 'H10' : 'H14');
    x.dynos = target.dynos;
    x.head = dynoRequestHead(h as ParsedHead, { fwd: x.fwd, routerPort: this.localPort, requestId: x.requestId, receivedAt, chunked: x.reqKind === CHUNKED });
    x.lastActivity = receivedAt;
    this.x = x;
    if (!x.reqDone) x.early = []; // body bytes wait here until a dyno connection stands
    if (!x.reqDone && this.buf !== null) {
      const rest = this.buf;
      this.buf = null;
      const left = this.relayRequestBody(x, rest);
      if (left !== null) this.buf = left;
      if (this.x !== x) return;
    }
    this.connect(x, false);
  }

  /** Hands the connection to the node:http server with every byte read and not yet acted on. */
  private handOver(buffered: Buffer): void {
    this.detach();
    this.plane.o.handOver(this.socket, buffered);
  }

  private detach(): void {
    this.gone = true;
    this.plane.conns.delete(this);
    const s = this.socket;
    s.removeListener('data', this.onData);
    s.removeListener('end', this.onEnd);
    s.removeListener('close', this.onClose);
    s.removeListener('drain', this.onDrain);
    s.removeListener('error', noop);
  }

  // ---- request bodies -------------------------------------------------------------------

  /** Relays the request body's part of `chunk` (or keeps it until connected); returns what follows the body. */
  private relayRequestBody(x: RawExchange, chunk: Buffer): Buffer | null {
    const end = x.requestBodyEnd(chunk, 0, chunk.length);
    if (end === -2) {
      if (x.headSent) this.socket.destroy();
      else this.failBadBody(x);
      return null;
    }
    const body = end < 0 || end === chunk.length ? chunk : chunk.subarray(0, end);
    if (end >= 0) x.reqDone = true;
    if (body.length > 0) {
      if (x.early !== null) x.early.push(body);
      else if (x.upstream !== null && x.phase !== DONE && !x.upstream.socket.write(body)) this.pause(PAUSE_DYNO);
    }
    if (x.reqDone && x.phase === SENDING) this.requestSent(x);
    return end < 0 || end === chunk.length ? null : chunk.subarray(end);
  }

  private failBadBody(x: RawExchange): void {
    x.reqDone = false;
    x.upstream?.discard();
    x.upstream = null;
    this.answer(x, badRequestPage('The chunked request body is malformed.'));
  }

  /** The whole request is with the dyno: the response window (H12) opens. */
  requestSent(x: RawExchange): void {
    if (x.phase !== SENDING) return;
    x.phase = WAITING;
    this.deadline = Date.now() + this.plane.o.responseTimeoutMs;
  }

  // ---- dynos ----------------------------------------------------------------------------

  /** Sends the request to a random untried dyno (a fresh connection when `fresh`); none left: the last error. */
  connect(x: RawExchange, fresh: boolean): void {
    connectToDyno(this, x, fresh);
  }

  onDynoConnect(d: DynoSocket): void {
    const x = this.x;
    if (x === null || x.upstream !== d) return void d.discard();
    sendRequest(this, x, d);
  }

  onDynoData(d: DynoSocket, chunk: Buffer): void {
    const x = this.x;
    if (x === null || x.upstream !== d) return void d.discard();
    onDynoBytes(this, x, d, chunk);
  }

  onDynoDrain(): void {
    this.resume(PAUSE_DYNO);
  }

  onDynoClose(d: DynoSocket): void {
    const x = this.x;
    if (x === null || x.upstream !== d) return;
    x.upstream = null;
    dynoClosed(this, x, d);
  }

  // ---- endings --------------------------------------------------------------------------

  /** The response is complete: log, pool the dyno connection, go on with the next request or close. */
  finish(x: RawExchange): void {
    x.phase = DONE;
    this.x = null;
    this.record(x, x.status ?? 502);
    const d = x.upstream;
    x.upstream = null;
    if (d !== null) {
      if (x.reusable && x.reqDone) this.plane.pool.release(d);
      else d.discard();
    }
    if (!x.reqDone || x.closeClient || this.draining) return this.close();
    this.deadline = Date.now() + KEEP_ALIVE_MS;
    if (this.pausedFor !== 0) { this.pausedFor = 0; this.socket.resume(); }
    if (this.buf !== null) this.parseNext();
  }

  /** Answers with a router error page and logs the error line. */
  fail(x: RawExchange, code: RouterErrorCode): void {
    this.answer(x, errorPage(code, x.requestId));
    this.record(x, ROUTER_ERRORS[code].status, code);
  }

  /** Answers with a router page; the connection stays open only when the request was read whole. */
  private answer(x: RawExchange, page: RouterPage): void {
    if (this.gone) return;
    x.phase = DONE;
    if (this.x === x) this.x = null;
    x.upstream?.discard();
    x.upstream = null;
    if (x.headSent) return void this.socket.destroy();
    const keepAlive = x.reqDone && !x.clientClose && !this.draining;
    writeRawPage(this.socket, page, x.requestId, keepAlive);
    if (!keepAlive) return this.close();
    this.deadline = Date.now() + KEEP_ALIVE_MS;
    if (this.pausedFor !== 0) { this.pausedFor = 0; this.socket.resume(); }
    if (this.buf !== null && !this.parsing) this.parseNext();
  }

  /** A head that cannot be served: its answer, then the connection closes. */
  private refuse(page: RouterPage): void {
    this.buf = null;
    writeRawPage(this.socket, page, undefined, false);
    this.close();
  }

  private close(): void {
    this.buf = null;
    this.deadline = 0;
    this.gone = true;
    this.socket.end();
    // A client that never reads its answer must not hold the connection: the sweep cuts it.
    this.deadline = Date.now() + KEEP_ALIVE_MS;
  }

  /** Writes the request's one log line (only requests for a known app have a log stream). */
  record(x: RawExchange, status: number, code?: RouterErrorCode): void {
    if (x.logged || x.appId === undefined) return;
    x.logged = true;
    this.plane.o.logJson(x.appId, x.logLineJson(status, code));
  }

  /** Shutdown: an idle connection closes now, a busy one after its exchange. */
  drain(): void {
    this.draining = true;
    if (this.x === null) this.socket.destroy();
  }

  /** The sweep found this connection's deadline passed. */
  onDeadline(now: number): void {
    const x = this.x;
    if (x === null || this.gone) return void this.socket.destroy();
    deadlinePassed(this, x, now);
  }

  pause(reason: number): void {
    if (this.pausedFor === 0) this.socket.pause();
    this.pausedFor |= reason;
  }

  resume(reason: number): void {
    if ((this.pausedFor & reason) === 0) return;
    this.pausedFor &= ~reason;
    if (this.pausedFor === 0) this.socket.resume();
  }
}


function noop(): void {}
