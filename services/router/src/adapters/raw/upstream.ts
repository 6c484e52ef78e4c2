import { chooseDyno } from '../../domain/routing-table.js';
import type { ClientConnection } from './client-connection.js';
import type { DynoSocket } from './dyno-pool.js';
import { CONNECTING, DONE, NO_BODY, RawExchange, RESPONDING, SENDING, UNTIL_CLOSE, WAITING } from './exchange.js';

/** Why reading from a client is paused (bits): the dyno's backpressure, a connect, too much pipelined. */
export const PAUSE_DYNO = 1;
export const PAUSE_CONNECT = 2;
export const PAUSE_PIPELINED = 4;
const EMPTY = new Set<string>();

/**
 * Sends x to a random untried dyno, preferring ones not in quarantine, over a pooled connection
 * (a fresh one when `fresh`); with none left, x is answered with the last error (H21/H19).
 */
export function connectToDyno(c: ClientConnection, x: RawExchange, fresh: boolean): void {
  const o = c.plane.o;
  // The dyno tried last is set aside (not on the first try, and not for a retry on a fresh connection).
  if (x.dynoId !== '' && !fresh) (x.tried ??= new Set()).add(x.dynoId);
  const tried = x.tried;
  const left = tried === undefined ? x.dynos : x.dynos.filter((d) => !tried.has(d.dynoId));
  const dyno = left.length === 1 && !o.quarantine.has(left[0].dynoId) ? left[0] : chooseDyno(o.quarantine.prefer(left), tried ?? EMPTY, c.plane.random);
  if (!dyno) return c.fail(x, x.lastCode);
  x.dyno = dyno.dyno;
  x.dynoId = dyno.dynoId;
  x.phase = CONNECTING;
  x.connectStartedAt = Date.now();
  const d = c.plane.pool.lease(dyno.host, dyno.port, c, fresh);
  x.upstream = d;
  if (d.connected) return sendRequest(c, x, d);
  c.deadline = x.connectStartedAt + o.connectTimeoutMs;
  if (!x.reqDone) c.pause(PAUSE_CONNECT);
}

/** The dyno connection stands: the head and any body bytes read so far go out in one write. */
export function sendRequest(c: ClientConnection, x: RawExchange, d: DynoSocket): void {
  const now = Date.now();
  x.connectMs = now - x.connectStartedAt;
  x.sentAt = now;
  x.phase = SENDING;
  c.deadline = 0;
  const early = x.early;
  x.early = null;
  let flowing: boolean;
  if (early === null || early.length === 0) {
    flowing = d.socket.write(x.head, 'latin1');
  } else {
    d.socket.cork();
    flowing = d.socket.write(x.head, 'latin1');
    for (const b of early) flowing = d.socket.write(b);
    d.socket.uncork();
  }
  if (x.reqDone) return c.requestSent(x);
  c.resume(PAUSE_CONNECT);
  if (!flowing) c.pause(PAUSE_DYNO);
}

/** The dyno connection closed under x: another dyno (connect failed), a retry, H13, the end of a close-delimited body, or H18. */
export function dynoClosed(c: ClientConnection, x: RawExchange, d: DynoSocket): void {
  if (x.phase === CONNECTING) {
    c.plane.o.quarantine.add(x.dynoId);
    x.lastCode = 'H21';
    return connectToDyno(c, x, false);
  }
  if (x.phase === SENDING || x.phase === WAITING) {
    // A pooled connection the dyno closed just as it was reused: nothing reached the app, so a
    // request without a body is sent again, once, on a fresh connection.
    if (d.reused && x.reqKind === NO_BODY && !x.staleRetried && x.respHead === null) {
      x.staleRetried = true;
      return connectToDyno(c, x, true);
    }
    return c.fail(x, 'H13');
  }
  if (x.phase !== RESPONDING) return;
  if (x.respKind === UNTIL_CLOSE) {
    x.reusable = false;
    return c.finish(x);
  }
  // Gone mid-response: the client must not take a truncated body for a whole one.
  c.record(x, x.status ?? 502, 'H18');
  c.x = null;
  x.phase = DONE;
  c.socket.destroy();
}

/** x's deadline passed: a connect timeout tries another dyno (H19 when none is left), no response is H12, an idle response H15. */
export function deadlinePassed(c: ClientConnection, x: RawExchange, now: number): void {
  const o = c.plane.o;
  if (x.phase === CONNECTING) {
    x.upstream?.discard();
    x.upstream = null;
    o.quarantine.add(x.dynoId);
    x.lastCode = 'H19';
    return connectToDyno(c, x, false);
  }
  if (x.phase === WAITING) return c.fail(x, 'H12');
  if (x.phase === RESPONDING) {
    if (now - x.lastActivity < o.idleTimeoutMs) return void (c.deadline = x.lastActivity + o.idleTimeoutMs);
    c.record(x, x.status ?? 503, 'H15');
    x.phase = DONE;
    c.x = null;
    x.upstream?.discard();
    x.upstream = null;
    c.socket.destroy();
    return;
  }
  c.deadline = 0;
}
