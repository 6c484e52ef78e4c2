import { isHeadError, parseResponseHead, responseFraming, responseFramingOf, type BodyFraming, type ParsedHead } from '../../domain/http-head.js';
import { clientResponseHead, connectionHas } from '../../domain/head-rewrite.js';
import { responseHeadBytes, scanResponseHead, type ScannedResponse } from '../../domain/response-scan.js';
import type { ClientConnection } from './client-connection.js';
import type { DynoSocket } from './dyno-pool.js';
import { CHUNKED, DONE, LENGTH, MAX_HEAD, NO_BODY, RawExchange, RESPONDING, UNTIL_CLOSE } from './exchange.js';

const CRLF2 = Buffer.from('\r\n\r\n');
/** Up to this many body bytes go out in the same buffer as the response head (one write, one packet). */
const COALESCE = 16 * 1024;

/**
 * Bytes from the dyno for exchange x (`chunk` is only valid during this call): the response head is parsed once (interim 1xx answers are
 * passed on), rewritten and sent with the body bytes that came with it in one write; the body is
 * relayed by its framing until its end, which completes the exchange.
 */
export function onDynoBytes(c: ClientConnection, x: RawExchange, d: DynoSocket, chunk: Buffer): void {
  x.lastActivity = Date.now();
  if (x.phase === RESPONDING) return relayBody(c, x, d, chunk, 0);
  let buf = x.respHead === null ? chunk : Buffer.concat([x.respHead, chunk]);
  for (;;) {
    const end = buf.indexOf(CRLF2);
    if (end < 0) {
      if (buf.length > MAX_HEAD) return badResponse(c, x, d);
      x.respHead = buf.buffer === chunk.buffer ? Buffer.from(buf) : buf; // chunk is the shared read buffer: kept bytes are copied
      return;
    }
    const f = readHead(buf, end, x.method);
    if (f === undefined) return badResponse(c, x, d);
    if (f.interim !== undefined) {
      // An interim answer (100, 102, 103): passed on, the final one follows.
      if (!c.socket.write(clientResponseHead(f.interim, { chunked: false, close: false }), 'latin1')) d.socket.pause();
      if (end + 4 >= buf.length) { x.respHead = null; return; }
      buf = buf.subarray(end + 4);
      continue;
    }
    const { framing } = f;
    x.respHead = null;
    x.status = f.status;
    x.phase = RESPONDING;
    x.headSent = true;
    c.deadline = x.lastActivity + c.plane.o.idleTimeoutMs;
    const kind = framing.kind === 'length' ? LENGTH : framing.kind === 'chunked' ? CHUNKED : framing.kind === 'close' ? UNTIL_CLOSE : NO_BODY;
    x.responseBody(kind, framing.kind === 'length' ? framing.length : 0);
    x.reusable = kind !== UNTIL_CLOSE && f.dynoKeepsAlive;
    x.closeClient = kind === UNTIL_CLOSE || x.clientClose || !x.reqDone || c.plane.draining;
    const start = end + 4;
    const bodyEnd = x.responseBodyEnd(buf, start, buf.length);
    if (bodyEnd === -2) return cut(c, x);
    const stop = bodyEnd < 0 ? buf.length : bodyEnd;
    if (bodyEnd >= 0 && bodyEnd < buf.length) x.reusable = false; // bytes past the response: not to be trusted
    const n = stop - start;
    x.bytes += n;
    // The head, and up to COALESCE body bytes with it in the same buffer: one write, one packet.
    const room = n <= COALESCE ? n : 0;
    const [out, headLength] = headBytes(buf, f, { chunked: kind === CHUNKED, close: x.closeClient }, room);
    let flowing: boolean;
    if (room === n) {
      buf.copy(out, headLength, start, stop);
      flowing = c.socket.write(out);
    } else {
      c.socket.cork();
      c.socket.write(out);
      flowing = c.socket.write(Buffer.from(buf.subarray(start, stop)));
      c.socket.uncork();
    }
    if (bodyEnd >= 0) return c.finish(x);
    if (!flowing) d.socket.pause();
    return;
  }
}

/** A response head as read: an interim one to pass on, or the final one with what the exchange needs of it. */
interface HeadRead {
  interim?: ParsedHead;
  status: number;
  framing: BodyFraming;
  /** The dyno's connection may serve another request after this response (as far as its head says). */
  dynoKeepsAlive: boolean;
  /** The head as scanned from its bytes (the usual case), else as parsed the long way. */
  scan: ScannedResponse | undefined;
  parsed: ParsedHead | undefined;
}

/** Reads the head in buf[0, end): from its bytes when it is a usual one, else the long way; undefined when it is not HTTP to relay (H13). */
function readHead(buf: Buffer, end: number, method: string): HeadRead | undefined {
  const scan = scanResponseHead(buf, end);
  if (scan !== undefined) {
    const framing = responseFramingOf(scan.status, method, scan.te, scan.cl);
    if (isHeadError(framing)) return undefined;
    return { status: scan.status, framing, dynoKeepsAlive: !scan.close, scan, parsed: undefined };
  }
  const h = parseResponseHead(buf.toString('latin1', 0, end));
  if (isHeadError(h) || h.status === 101) return undefined;
  if (h.status < 200) return { interim: h, status: h.status, framing: { kind: 'none' }, dynoKeepsAlive: true, scan: undefined, parsed: undefined };
  const framing = responseFraming(h, method);
  if (isHeadError(framing)) return undefined;
  const dynoKeepsAlive = !connectionHas(h, 'close') && (h.minor === 1 || connectionHas(h, 'keep-alive'));
  return { status: h.status, framing, dynoKeepsAlive, scan: undefined, parsed: h };
}

/** The head the client gets, in a buffer with `room` bytes left after it for body bytes; and the head's length. */
function headBytes(buf: Buffer, f: HeadRead, o: { chunked: boolean; close: boolean }, room: number): [Buffer, number] {
  if (f.scan !== undefined) return responseHeadBytes(buf, f.scan, o, room);
  const head = clientResponseHead(f.parsed!, o);
  const out = Buffer.allocUnsafe(head.length + room);
  return [out, out.write(head, 0, 'latin1')];
}

function relayBody(c: ClientConnection, x: RawExchange, d: DynoSocket, chunk: Buffer, start: number): void {
  const end = x.responseBodyEnd(chunk, start, chunk.length);
  if (end === -2) return cut(c, x);
  const stop = end < 0 ? chunk.length : end;
  if (stop > start) {
    x.bytes += stop - start;
    // A copy: chunk is the shared read buffer, and a write the kernel does not take at once keeps its buffer.
    const flowing = c.socket.write(Buffer.from(chunk.subarray(start, stop)));
    if (end < 0) {
      if (!flowing) d.socket.pause();
      return;
    }
  }
  if (end >= 0) {
    if (end < chunk.length) x.reusable = false;
    c.finish(x);
  }
}

/** The dyno's answer is not HTTP this router can relay: as good as no answer (H13). */
function badResponse(c: ClientConnection, x: RawExchange, d: DynoSocket): void {
  d.discard();
  x.upstream = null;
  x.respHead = null;
  c.fail(x, 'H13');
}

/** The body's framing broke mid-response: the client connection is cut, like a dyno gone mid-response (H18). */
function cut(c: ClientConnection, x: RawExchange): void {
  c.record(x, x.status ?? 502, 'H18');
  x.phase = DONE;
  x.upstream?.discard();
  x.upstream = null;
  c.x = null;
  c.socket.destroy();
}
