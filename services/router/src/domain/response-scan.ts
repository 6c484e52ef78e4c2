import { VIA } from './forward-headers.js';
import { headerTokens, TOKEN } from './http-head.js';

/**
 * The common response head read straight from its bytes: an HTTP/1.1 final answer whose headers
 * need no more than hop-by-hop removal and our Via. Only heads that parseResponseHead would
 * take and read the same way are taken; anything else (HTTP/1.0, 1xx and 101, a Via or
 * Proxy-* header, a Connection header naming other headers, a status line without its reason
 * phrase, any malformed line) gives undefined and goes the long way (parseResponseHead,
 * clientResponseHead), which also refuses what is malformed. So there is one reading of every head, and the usual one makes no strings but the
 * few values framing needs. Warm, for a Node server's usual head: 1.7 µs from the bytes to the
 * client's buffer, against 2.4 µs for parseResponseHead, clientResponseHead and the copy.
 */
export interface ScannedResponse {
  status: number;
  /** Transfer-Encoding and Content-Length values, joined with ", " as valuesOf does; undefined when absent. */
  te: string | undefined;
  cl: string | undefined;
  /** The Connection header said close / keep-alive. */
  close: boolean;
  keepAlive: boolean;
  /**
   * The head's bytes as runs [start, end, what], CRLFs included: KEEP runs go to the client as
   * they came, TE and CL lines only as the framing wants (see responseHeadBytes).
   */
  runs: number[];
}

/** Fewer headers than parseResponseHead reads (it stops after 1001). */
const MAX_HEADERS = 1000;

const KEEP = 0;
const TE_LINE = 1;
const CL_LINE = 2;

/** What a header name is to the scan. */
const OTHER = 0;
const DROP = 1; // hop-by-hop: keep-alive, te, trailer, upgrade
const CONNECTION = 2;
const TRANSFER_ENCODING = 3;
const CONTENT_LENGTH = 4;
const LONG_WAY = 5; // via, proxy-*: left to clientResponseHead

/** Scans the response head in buf[0, end) (end: where its CRLF CRLF starts). */
export function scanResponseHead(buf: Buffer, end: number): ScannedResponse | undefined {
  if (end < 12 || !startsWithHttp11(buf)) return undefined;
  const d0 = buf[9]! - 48;
  const d1 = buf[10]! - 48;
  const d2 = buf[11]! - 48;
  if (d0 < 2 || d0 > 9 || d1 < 0 || d1 > 9 || d2 < 0 || d2 > 9) return undefined; // 1xx and junk go the long way
  const statusEnd = lineEnd(buf, 12, end);
  if (statusEnd <= 12 || buf[12] !== 32) return undefined; // no reason phrase: the long way writes the line anew
  const r: ScannedResponse = { status: d0 * 100 + d1 * 10 + d2, te: undefined, cl: undefined, close: false, keepAlive: false, runs: [] };
  let run = 0; // start of the current run of kept bytes
  let pos = statusEnd + 2;
  let headers = 0;
  while (pos < end) {
    // parseResponseHead reads no further than its header limit: a head that long goes its way.
    if (++headers > MAX_HEADERS) return undefined;
    const eol = lineEnd(buf, pos, end);
    if (eol < 0) return undefined;
    let i = pos;
    while (i < eol && buf[i]! < 128 && TOKEN[buf[i]!] === 1) i++;
    if (i === pos || i === eol || buf[i] !== 58) return undefined; // no name, or no colon right after it
    let vs = i + 1;
    let ve = eol;
    while (vs < ve && (buf[vs] === 32 || buf[vs] === 9)) vs++;
    while (ve > vs && (buf[ve - 1] === 32 || buf[ve - 1] === 9)) ve--;
    const kind = nameKind(buf, pos, i - pos);
    if (kind === LONG_WAY) return undefined;
    if (kind !== OTHER) {
      if (pos > run) r.runs.push(run, pos, KEEP);
      run = eol + 2;
      if (kind === CONNECTION && !readConnection(r, buf, vs, ve)) return undefined;
      else if (kind === TRANSFER_ENCODING) {
        r.te = join(r.te, buf.toString('latin1', vs, ve));
        r.runs.push(pos, eol + 2, TE_LINE);
      } else if (kind === CONTENT_LENGTH) {
        r.cl = join(r.cl, digitsText(buf, vs, ve));
        r.runs.push(pos, eol + 2, CL_LINE);
      }
    }
    pos = eol + 2;
  }
  if (end + 2 > run) r.runs.push(run, end + 2, KEEP);
  return r;
}

const VIA_LINE = Buffer.from(`Via: ${VIA}\r\n`, 'latin1');
const CLOSE_LINE = Buffer.from('Connection: close\r\n', 'latin1');

/**
 * The head the client gets, as clientResponseHead writes it, in a buffer with `room` bytes left
 * after it (for body bytes sent in the same write); returns the buffer and the head's length.
 */
export function responseHeadBytes(buf: Buffer, r: ScannedResponse, o: { chunked: boolean; close: boolean }, room: number): [Buffer, number] {
  const { runs } = r;
  let size = VIA_LINE.length + (o.close ? CLOSE_LINE.length : 0) + 2;
  for (let i = 0; i < runs.length; i += 3) if (wanted(runs[i + 2]!, o.chunked)) size += runs[i + 1]! - runs[i]!;
  const out = Buffer.allocUnsafe(size + room);
  let at = 0;
  for (let i = 0; i < runs.length; i += 3) if (wanted(runs[i + 2]!, o.chunked)) at += buf.copy(out, at, runs[i]!, runs[i + 1]!);
  at += VIA_LINE.copy(out, at);
  if (o.close) at += CLOSE_LINE.copy(out, at);
  out[at++] = 13;
  out[at++] = 10;
  return [out, at];
}

/** Transfer-Encoding goes on only with a chunked body, Content-Length only without one. */
function wanted(what: number, chunked: boolean): boolean {
  return what === KEEP || (what === TE_LINE ? chunked : !chunked);
}

function startsWithHttp11(b: Buffer): boolean {
  return b[0] === 72 && b[1] === 84 && b[2] === 84 && b[3] === 80 && b[4] === 47 && b[5] === 49 && b[6] === 46 && b[7] === 49 && b[8] === 32;
}

/** Where the line from `from` ends (its CR), end when it is the last; -1 on a bare CR or LF or a NUL. */
function lineEnd(b: Buffer, from: number, end: number): number {
  for (let i = from; i < end; i++) {
    const c = b[i]!;
    if (c > 13) continue;
    if (c === 13 && b[i + 1] === 10) return i;
    if (c === 13 || c === 10 || c === 0) return -1;
  }
  return end;
}

function nameKind(b: Buffer, at: number, len: number): number {
  switch (len) {
    case 2: return is(b, at, 'te') ? DROP : OTHER;
    case 3: return is(b, at, 'via') ? LONG_WAY : OTHER;
    case 7: return is(b, at, 'trailer') || is(b, at, 'upgrade') ? DROP : OTHER;
    case 10: return is(b, at, 'connection') ? CONNECTION : is(b, at, 'keep-alive') ? DROP : prefixKind(b, at);
    case 14: return is(b, at, 'content-length') ? CONTENT_LENGTH : prefixKind(b, at);
    case 17: return is(b, at, 'transfer-encoding') ? TRANSFER_ENCODING : prefixKind(b, at);
    default: return len > 6 ? prefixKind(b, at) : OTHER;
  }
}

function prefixKind(b: Buffer, at: number): number {
  return is(b, at, 'proxy-') ? LONG_WAY : OTHER;
}

/**
 * Whether the bytes at `at` start with `lower` (letters and '-'), in any case: |0x20 lowercases a
 * letter, and only CR could pass for '-', which neither names nor values hold.
 */
function is(b: Buffer, at: number, lower: string): boolean {
  for (let i = 0; i < lower.length; i++) if ((b[at + i]! | 0x20) !== lower.charCodeAt(i)) return false;
  return true;
}

/** Takes a Connection value of close and keep-alive tokens; false when it names other headers. */
function readConnection(r: ScannedResponse, b: Buffer, vs: number, ve: number): boolean {
  // The usual values, compared as bytes (no string made).
  if (ve - vs === 10 && is(b, vs, 'keep-alive')) return (r.keepAlive = true);
  if (ve - vs === 5 && is(b, vs, 'close')) return (r.close = true);
  for (const t of headerTokens(b.toString('latin1', vs, ve))) {
    if (t === 'close') r.close = true;
    else if (t === 'keep-alive') r.keepAlive = true;
    else return false;
  }
  return true;
}

/** The value's text; a short run of digits (the usual Content-Length) through V8's number-string cache instead of a new string. */
function digitsText(b: Buffer, vs: number, ve: number): string {
  if (ve - vs > 0 && ve - vs <= 9) {
    let n = 0;
    let i = vs;
    for (; i < ve; i++) {
      const d = b[i]! - 48;
      if (d < 0 || d > 9) break;
      n = n * 10 + d;
    }
    if (i === ve && (b[vs] !== 48 || ve - vs === 1)) return String(n);
  }
  return b.toString('latin1', vs, ve);
}

function join(prior: string | undefined, value: string): string {
  return prior === undefined ? value : `${prior}, ${value}`;
}
