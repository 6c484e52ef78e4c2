import { request, type Agent, type ClientRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { DynoRoute } from '@paas/contracts';
import { downstreamHeaders, type HeaderMap } from '../domain/forward-headers.js';
import type { RouterErrorCode } from '../domain/router-errors.js';
import type { Quarantine } from '../domain/quarantine.js';
import { chooseDyno } from '../domain/routing-table.js';
import { watchIdle } from './idle.js';

/** What every proxied request carries (plain or upgrade), with what its log line will report. */
export interface RoutedRequest {
  req: IncomingMessage;
  requestId: string;
  /** The Host header without its port, lowercased. */
  host: string;
  fwd: string;
  /** The headers the dyno gets. */
  headers: HeaderMap;
  appId?: string;
  dyno?: string;
  connectMs?: number;
  /** When the request went to the dyno (start of the `service` time). */
  sentAt?: number;
}

/** One plain request on its way through the router. */
export interface Exchange extends RoutedRequest {
  res: ServerResponse;
  receivedAt: number;
  status?: number;
  bytes: number;
  upstream?: ClientRequest;
  clientGone: boolean;
  logged: boolean;
  /** A pooled connection to a dyno failed under this request once already (it was retried). */
  staleRetried?: boolean;
}

/** How to reach dynos and what to do when it is over. */
export interface ForwardOptions {
  agent: Agent;
  random: () => number;
  connectTimeoutMs: number;
  responseTimeoutMs: number;
  /** Once the response started, this long without a byte either way cuts both connections (H15). */
  idleTimeoutMs: number;
  /** Dynos that refused or timed out lately: tried only when nothing else is left. */
  quarantine: Quarantine;
  /** The request failed before any response from a dyno: answer with this error. */
  fail: (code: RouterErrorCode) => void;
  /** The dyno's response has been relayed (code set when it was cut short). */
  done: (code?: RouterErrorCode) => void;
}

/**
 * Sends the request to a random dyno among `dynos`; one that refuses or does not accept the
 * connection in time is skipped for another (the client's body is only read once a connection
 * stands, so it is still there for the next try). When none is left the last error is answered.
 */
export function forwardToDyno(x: Exchange, dynos: readonly DynoRoute[], o: ForwardOptions, tried = new Set<string>(), lastCode: RouterErrorCode = 'H21'): void {
  const dyno = chooseDyno(o.quarantine.prefer(dynos.filter((d) => !tried.has(d.dynoId))), tried, o.random);
  if (!dyno) return o.fail(lastCode);
  tried.add(dyno.dynoId);
  x.dyno = dyno.dyno;
  const startedAt = Date.now();
  const up = request({ host: dyno.host, port: dyno.port, method: x.req.method, path: x.req.url, headers: x.headers, agent: o.agent });
  x.upstream = up;
  const bodyless = hasNoBody(x.req);
  let phase: 'connecting' | 'sent' | 'responded' = 'connecting';
  let timeout: RouterErrorCode | undefined;
  let firstByte: NodeJS.Timeout | undefined;
  const connected = (): void => {
    phase = 'sent';
    x.connectMs = Date.now() - startedAt;
    x.sentAt = Date.now();
    // The response window opens once the whole request is with the dyno: a long upload is not a slow app.
    up.once('finish', () => {
      if (phase !== 'sent') return;
      firstByte = setTimeout(() => { timeout = 'H12'; up.destroy(new Error('no response in time')); }, o.responseTimeoutMs);
    });
    if (bodyless) up.end();
    else x.req.pipe(up);
  };
  up.on('socket', (socket) => {
    if (!socket.connecting) return connected();
    const timer = setTimeout(() => { timeout = 'H19'; up.destroy(new Error('connect timeout')); }, o.connectTimeoutMs);
    socket.once('connect', () => { clearTimeout(timer); connected(); });
    up.once('close', () => clearTimeout(timer));
  });
  up.on('response', (upRes) => {
    clearTimeout(firstByte);
    phase = 'responded';
    relay(x, upRes, o);
  });
  up.on('error', () => {
    clearTimeout(firstByte);
    if (x.clientGone || phase === 'responded') return;
    if (phase === 'connecting') {
      o.quarantine.add(dyno.dynoId);
      return forwardToDyno(x, dynos, o, tried, timeout ?? 'H21');
    }
    // A pooled keep-alive connection the dyno closed just as it was reused: nothing reached the
    // app, so a request without a body is sent again, once, on a fresh connection.
    if (timeout === undefined && up.reusedSocket && bodyless && !x.staleRetried) {
      x.staleRetried = true;
      tried.delete(dyno.dynoId);
      return forwardToDyno(x, dynos, o, tried, lastCode);
    }
    o.fail(timeout ?? 'H13');
  });
}

/** True when the client's request carries no body (nothing to stream, so it can be sent again). */
function hasNoBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] === undefined && (length === undefined || Number(length) === 0);
}

/** Streams the dyno's response to the client as it comes, without buffering. */
function relay(x: Exchange, upRes: IncomingMessage, o: ForwardOptions): void {
  x.status = upRes.statusCode ?? 502;
  x.res.writeHead(x.status, upRes.statusMessage, downstreamHeaders(upRes.headers as HeaderMap));
  // Long-polling and streaming apps send headers long before the body: the client should see them
  // then. Usually the body is already here, and headers and body leave in one write.
  const flush = setImmediate(() => { if (x.bytes === 0 && !x.res.writableEnded) x.res.flushHeaders(); });
  x.res.once('close', () => clearImmediate(flush));
  const idle = watchIdle(o.idleTimeoutMs, () => {
    o.done('H15');
    upRes.destroy();
    x.upstream?.destroy();
    x.res.destroy();
  });
  upRes.on('data', (chunk: Buffer) => { x.bytes += chunk.length; idle.touch(); });
  x.req.on('data', idle.touch);
  x.res.on('close', idle.stop);
  upRes.on('error', () => undefined);
  upRes.on('close', () => {
    if (upRes.complete || x.clientGone) return;
    // The dyno went away mid-response: the client must not take a truncated body for a whole one.
    x.res.destroy();
    o.done('H18');
  });
  x.res.on('finish', () => o.done());
  upRes.pipe(x.res);
}
