import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { DynoRoute } from '@paas/contracts';
import { ChunkedTracker } from '../../domain/chunked.js';
import { routerLogLineJson } from '../../domain/log-line.js';
import type { RouterErrorCode, RouterPage } from '../../domain/router-errors.js';
import type { DynoSocket } from './dyno-pool.js';

/** A request head (and what waits behind a request in flight) may take this much; node's parser took as much. */
export const MAX_HEAD = 64 * 1024;

/** Where an exchange stands. */
export const CONNECTING = 1;
export const SENDING = 2; // connected, request body still on its way
export const WAITING = 3; // whole request with the dyno, no response head yet
export const RESPONDING = 4;
export const DONE = 5;

/** Body framing kinds (http-head.ts BodyFraming, as numbers on the hot path). */
export const NO_BODY = 0;
export const LENGTH = 1;
export const CHUNKED = 2;
export const UNTIL_CLOSE = 3;

/** One request on the raw data plane, from its head to its log line. Plain fields, no closures. */
export class RawExchange {
  phase = CONNECTING;
  appId: string | undefined;
  dyno: string | undefined;
  dynoId = '';
  dynos: readonly DynoRoute[] = [];
  tried: Set<string> | undefined;
  lastCode: RouterErrorCode = 'H21';
  staleRetried = false;
  requestId = '';
  fwd = '';
  /** The request head as the dyno gets it. */
  head = '';
  connectStartedAt = 0;
  connectMs: number | undefined;
  sentAt: number | undefined;
  lastActivity = 0;
  status: number | undefined;
  bytes = 0;
  logged = false;
  upstream: DynoSocket | null = null;
  /** Body bytes read before the dyno connection stood. */
  early: Buffer[] | null = null;
  // request body framing
  reqKind = NO_BODY;
  reqRemaining = 0;
  reqChunks: ChunkedTracker | null = null;
  reqDone = true;
  /** The client asked to close after this exchange (Connection: close). */
  clientClose = false;
  // response
  respHead: Buffer | null = null;
  respKind = NO_BODY;
  respRemaining = 0;
  respChunks: ChunkedTracker | null = null;
  /** The dyno connection can serve another request once this response is complete. */
  reusable = true;
  /** The client connection closes after this response. */
  closeClient = false;
  headSent = false;

  constructor(
    readonly method: string,
    readonly path: string,
    /** The Host header without its port, lowercased. */
    readonly host: string,
    readonly receivedAt: number,
  ) {}

  /** Sets up the request body's framing. */
  requestBody(kind: number, length: number): void {
    this.reqKind = kind;
    this.reqDone = kind === NO_BODY;
    if (kind === LENGTH) this.reqRemaining = length;
    else if (kind === CHUNKED) this.reqChunks = new ChunkedTracker();
  }

  /**
   * Where in buf[start, end) the request body ends: the index past its last byte, -1 when all
   * of it is body and more is to come, -2 on malformed chunked framing.
   */
  requestBodyEnd(buf: Buffer, start: number, end: number): number {
    if (this.reqKind === LENGTH) {
      const n = Math.min(this.reqRemaining, end - start);
      this.reqRemaining -= n;
      return this.reqRemaining === 0 ? start + n : -1;
    }
    if (this.reqKind === CHUNKED) return this.reqChunks!.feed(buf, start, end);
    return start;
  }

  /** Sets up the response body's framing. */
  responseBody(kind: number, length: number): void {
    this.respKind = kind;
    if (kind === LENGTH) this.respRemaining = length;
    else if (kind === CHUNKED) this.respChunks = new ChunkedTracker();
  }

  /** As requestBodyEnd, for the response (close-delimited bodies end only with the connection). */
  responseBodyEnd(buf: Buffer, start: number, end: number): number {
    switch (this.respKind) {
      case LENGTH: {
        const n = Math.min(this.respRemaining, end - start);
        this.respRemaining -= n;
        return this.respRemaining === 0 ? start + n : -1;
      }
      case CHUNKED: return this.respChunks!.feed(buf, start, end);
      case UNTIL_CLOSE: return -1;
      default: return start;
    }
  }

  /** The request's heroku[router] line, as the inside of a JSON string. */
  logLineJson(status: number, code: RouterErrorCode | undefined): string {
    return routerLogLineJson({
      method: this.method, path: this.path, host: this.host, requestId: this.requestId, fwd: this.fwd,
      protocol: 'http', status, code, dyno: this.dyno, connectMs: this.connectMs,
      serviceMs: this.sentAt === undefined ? undefined : Date.now() - this.sentAt,
      bytes: this.dyno === undefined ? undefined : this.respChunks !== null ? this.respChunks.data : this.bytes,
    });
  }
}

/** A router page on a raw client connection; `keepAlive` false says Connection: close (the caller closes). */
export function writeRawPage(socket: Socket, page: RouterPage, requestId: string | undefined, keepAlive: boolean): void {
  if (socket.destroyed || !socket.writable) return;
  let head = `HTTP/1.1 ${page.status} ${STATUS_CODES[page.status] ?? ''}\r\nContent-Type: ${page.contentType}\r\n` +
    `Content-Length: ${Buffer.byteLength(page.body)}\r\nCache-Control: no-cache, no-store\r\n`;
  if (requestId) head += `X-Request-Id: ${requestId}\r\n`;
  if (!keepAlive) head += 'Connection: close\r\n';
  socket.write(`${head}\r\n${page.body}`);
}
