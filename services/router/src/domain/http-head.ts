/**
 * A strict parser for HTTP/1.x message heads as the raw data plane reads them: the head is given
 * as latin1 text (one char per byte, so lengths are byte counts) without its final CRLF CRLF.
 * Anything it does not take (obs-fold, bare CR/LF, NUL, a name that is not a token, whitespace
 * before the colon) is refused rather than guessed at: two parsers reading one head differently
 * is how requests get smuggled.
 */

/** One parsed head: start line fields and the headers in order, as node's rawHeaders has them. */
export interface ParsedHead {
  /** Request: method; response: '' */
  method: string;
  /** Request: request target; response: the reason phrase. */
  target: string;
  /** The HTTP minor version: 1 for HTTP/1.1, 0 for HTTP/1.0. */
  minor: number;
  /** Response: the status code; request: 0. */
  status: number;
  /** Byte length of the start line. */
  startLine: number;
  /** Flat [Name, value, Name, value, ...] with names as sent and values without surrounding whitespace. */
  raw: string[];
  /** The names lowercased, one per header (lower[i] is raw[2i]'s). */
  lower: string[];
}

/** Why a head was refused. */
export interface HeadError {
  error: string;
}

/** tchar of RFC 9110: the bytes a header name or method may consist of (1), by byte value below 128. */
export const TOKEN = new Uint8Array(128);
for (const c of "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") TOKEN[c.charCodeAt(0)] = 1;

function isToken(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128 || TOKEN[c] === 0) return false;
  }
  return true;
}

/** At most this many headers are parsed; more is a limit breach anyway (limits.ts), not worth reading on. */
const MAX_PARSED_HEADERS = 1001;

/** Parses a request head (`GET /path HTTP/1.1` then header lines). */
export function parseRequestHead(text: string): ParsedHead | HeadError {
  const eol = lineEnd(text, 0);
  const line = text.slice(0, eol);
  const sp1 = line.indexOf(' ');
  const sp2 = line.lastIndexOf(' ');
  if (sp1 <= 0 || sp2 === sp1) return { error: 'The request line is not "METHOD target HTTP/1.x".' };
  const method = line.slice(0, sp1);
  const target = line.slice(sp1 + 1, sp2);
  const version = line.slice(sp2 + 1);
  if (!isToken(method)) return { error: 'The request method is not a token.' };
  if (target.length === 0 || hasControlOrSpace(target)) return { error: 'The request target has whitespace or control characters.' };
  const minor = version === 'HTTP/1.1' ? 1 : version === 'HTTP/1.0' ? 0 : -1;
  if (minor < 0) return { error: 'Only HTTP/1.0 and HTTP/1.1 are spoken here.' };
  return headers(text, eol, { method, target, minor, status: 0, startLine: line.length, raw: [], lower: [] });
}

/** Parses a response head (`HTTP/1.1 200 OK` then header lines). */
export function parseResponseHead(text: string): ParsedHead | HeadError {
  const eol = lineEnd(text, 0);
  const line = text.slice(0, eol);
  const minor = line.startsWith('HTTP/1.1 ') ? 1 : line.startsWith('HTTP/1.0 ') ? 0 : -1;
  if (minor < 0 || line.length < 12) return { error: 'The status line is not "HTTP/1.x NNN reason".' };
  // Three ASCII digits, the first not 0 (Number() would also take "2e2" as 200, or " 99").
  const d0 = line.charCodeAt(9) - 48;
  const d1 = line.charCodeAt(10) - 48;
  const d2 = line.charCodeAt(11) - 48;
  if (!(d0 >= 1 && d0 <= 9 && d1 >= 0 && d1 <= 9 && d2 >= 0 && d2 <= 9) || (line.length > 12 && line.charCodeAt(12) !== 32)) {
    return { error: 'The status code is not three digits.' };
  }
  const status = d0 * 100 + d1 * 10 + d2;
  if (line.includes('\r') || line.includes('\n') || line.includes('\0')) return { error: 'The status line has a bare CR, LF or NUL.' };
  const head = headers(text, eol, { method: '', target: line.slice(13), minor, status, startLine: line.length, raw: [], lower: [] });
  // Reading stops past the cap: a longer head is refused rather than relayed without its last headers (its framing among them).
  if (!isHeadError(head) && head.lower.length > MAX_RESPONSE_HEADERS) return { error: `The response has more than ${MAX_RESPONSE_HEADERS} headers.` };
  return head;
}

/** A response with more headers than this is not relayed (H13); the native plane has the same cap. */
export const MAX_RESPONSE_HEADERS = 1000;

function hasControlOrSpace(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c <= 0x20 || c === 0x7f) return true;
  }
  return false;
}

function lineEnd(text: string, from: number): number {
  const i = text.indexOf('\r\n', from);
  return i < 0 ? text.length : i;
}

function headers(text: string, eol: number, head: ParsedHead): ParsedHead | HeadError {
  const { raw, lower } = head;
  let start = eol + 2;
  while (start < text.length) {
    const end = lineEnd(text, start);
    const first = text.charCodeAt(start);
    if (first === 32 || first === 9) return { error: 'A header line is folded (starts with whitespace).' };
    const colon = text.indexOf(':', start);
    if (colon < 0 || colon >= end) return { error: 'A header line has no colon.' };
    const name = text.slice(start, colon);
    if (!isToken(name)) return { error: 'A header name is not a token (no whitespace before the colon).' };
    let vs = colon + 1;
    let ve = end;
    while (vs < ve && (text.charCodeAt(vs) === 32 || text.charCodeAt(vs) === 9)) vs++;
    while (ve > vs && (text.charCodeAt(ve - 1) === 32 || text.charCodeAt(ve - 1) === 9)) ve--;
    for (let i = vs; i < ve; i++) {
      const c = text.charCodeAt(i);
      if (c === 13 || c === 10 || c === 0) return { error: 'A header value has a bare CR, LF or NUL.' };
    }
    const value = text.slice(vs, ve);
    raw.push(name, value);
    lower.push(name.toLowerCase());
    if (lower.length > MAX_PARSED_HEADERS) break;
    start = end + 2;
  }
  return head;
}

/** Whether a parse result is a refusal. */
export function isHeadError<T extends object>(h: T | HeadError): h is HeadError {
  return 'error' in h;
}

/**
 * s without the optional whitespace HTTP allows around list elements and values (SP and HTAB
 * only, RFC 9110 section 5.6.3; String.trim would also take form feeds, NBSP and more, which
 * makes "\fclose" read as "close").
 */
export function trimOws(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && (s.charCodeAt(a) === 32 || s.charCodeAt(a) === 9)) a++;
  while (b > a && (s.charCodeAt(b - 1) === 32 || s.charCodeAt(b - 1) === 9)) b--;
  return a === 0 && b === s.length ? s : s.slice(a, b);
}

/** The comma-separated tokens of one or more header values, lowercased. */
export function headerTokens(value: string): string[] {
  const out: string[] = [];
  for (const t of value.split(',')) {
    const s = trimOws(t).toLowerCase();
    if (s !== '') out.push(s);
  }
  return out;
}

/** How a message's body is delimited (RFC 9112 section 6.3). */
export type BodyFraming =
  | { kind: 'none' }
  | { kind: 'length'; length: number }
  | { kind: 'chunked' }
  | { kind: 'close' };

const NONE: BodyFraming = { kind: 'none' };
const CHUNKED: BodyFraming = { kind: 'chunked' };
const CLOSE: BodyFraming = { kind: 'close' };

/**
 * A request's framing: chunked when Transfer-Encoding is exactly `chunked`, else Content-Length,
 * else none. Anything else (another coding, both headers, two lengths that differ, a length
 * that is not digits) is an error: such a request is not forwarded.
 */
export function requestFraming(head: ParsedHead): BodyFraming | HeadError {
  const te = valuesOf(head, 'transfer-encoding');
  const cl = valuesOf(head, 'content-length');
  if (te !== undefined) {
    if (cl !== undefined) return { error: 'A request with both Transfer-Encoding and Content-Length is ambiguous.' };
    return te.toLowerCase() === 'chunked' ? CHUNKED : { error: 'Only the chunked transfer coding is accepted on requests.' };
  }
  if (cl === undefined) return NONE;
  const length = contentLength(cl);
  if (length === undefined) return { error: 'The Content-Length is not a number of bytes.' };
  return length === 0 ? NONE : { kind: 'length', length };
}

/**
 * A response's framing, given the request method: none for HEAD and 1xx/204/304, chunked when
 * the last transfer coding is chunked, close-delimited for any other coding or no length,
 * else Content-Length. An unusable length is an error.
 */
export function responseFraming(head: ParsedHead, method: string): BodyFraming | HeadError {
  return responseFramingOf(head.status, method, valuesOf(head, 'transfer-encoding'), valuesOf(head, 'content-length'));
}

/** responseFraming from the status and the joined Transfer-Encoding and Content-Length values (undefined: absent). */
export function responseFramingOf(status: number, method: string, te: string | undefined, cl: string | undefined): BodyFraming | HeadError {
  if (method === 'HEAD' || status < 200 || status === 204 || status === 304) return NONE;
  if (te !== undefined) {
    const codings = headerTokens(te);
    return codings[codings.length - 1] === 'chunked' ? CHUNKED : CLOSE;
  }
  if (cl === undefined) return CLOSE;
  const length = contentLength(cl);
  if (length === undefined) return { error: 'The Content-Length is not a number of bytes.' };
  return length === 0 ? NONE : { kind: 'length', length };
}

/** All values of one header joined with ", " (as node does), or undefined when absent. */
export function valuesOf(head: ParsedHead, lowerName: string): string | undefined {
  let out: string | undefined;
  const { lower, raw } = head;
  for (let i = 0; i < lower.length; i++) {
    if (lower[i] !== lowerName) continue;
    out = out === undefined ? raw[2 * i + 1] : `${out}, ${raw[2 * i + 1]}`;
  }
  return out;
}

/** How many times a header occurs. */
export function countOf(head: ParsedHead, lowerName: string): number {
  let n = 0;
  for (const name of head.lower) if (name === lowerName) n++;
  return n;
}

const DIGITS = /^\d{1,15}$/;

/** A Content-Length value (several equal ones joined with commas are one), or undefined when unusable. */
function contentLength(value: string): number | undefined {
  if (DIGITS.test(value)) return Number(value);
  let length: number | undefined;
  for (const part of value.split(',')) {
    const t = trimOws(part);
    if (!DIGITS.test(t)) return undefined;
    const n = Number(t);
    if (length !== undefined && n !== length) return undefined;
    length = n;
  }
  return length;
}
