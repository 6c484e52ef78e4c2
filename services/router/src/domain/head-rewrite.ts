import { VIA } from './forward-headers.js';
import { headerTokens, trimOws, type ParsedHead } from './http-head.js';

/**
 * The raw data plane's header rules, the same as forward-headers.ts applies to node's header
 * maps: hop-by-hop headers (the fixed list, proxy-*, whatever Connection names) removed both
 * ways, Heroku's X-Forwarded-*, X-Request-* and Via set towards the dyno, Via appended towards
 * the client. Each head is built once as one string, in the order the headers came.
 */

/** What a request header is to the rewrite: dropped (hop-by-hop or replaced by the router), or Via (appended to). */
const DROP = 1;
const VIA_HEADER = 2;
/** A switch rather than a Map: no hashing of each freshly lowercased name. */
function requestSpecial(name: string): number {
  switch (name) {
    case 'connection': case 'keep-alive': case 'te': case 'trailer': case 'transfer-encoding': case 'upgrade':
    case 'x-forwarded-for': case 'x-forwarded-proto': case 'x-forwarded-port': case 'x-request-start': case 'x-request-id':
      return DROP;
    case 'via': return VIA_HEADER;
    default: return 0;
  }
}

function responseSpecial(name: string): number {
  switch (name) {
    case 'connection': case 'keep-alive': case 'te': case 'trailer': case 'upgrade': return DROP;
    case 'via': return VIA_HEADER;
    default: return 0;
  }
}

/** What the router knows about a request that the dyno learns from headers. */
export interface DynoRequestFacts {
  /** X-Forwarded-For as sent on: prior hops plus the client's address. */
  fwd: string;
  /** The port the client connected to. */
  routerPort: number;
  requestId: string;
  /** When the router received the request, ms since epoch. */
  receivedAt: number;
  /** The body is relayed chunked (its framing is kept as it came). */
  chunked: boolean;
}

/** The request head the dyno gets, as one string ending in CRLF CRLF. */
export function dynoRequestHead(h: ParsedHead, f: DynoRequestFacts): string {
  const named = connectionNamed(h);
  const { raw, lower } = h;
  let out = `${h.method} ${h.target} HTTP/1.1\r\n`;
  let via = '';
  for (let i = 0; i < lower.length; i++) {
    const name = lower[i];
    const special = requestSpecial(name);
    if (special === VIA_HEADER) {
      via = via === '' ? raw[2 * i + 1] : `${via}, ${raw[2 * i + 1]}`;
      continue;
    }
    if (special === DROP || name.startsWith('proxy-') || (named !== undefined && named.has(name))) continue;
    out += `${raw[2 * i]}: ${raw[2 * i + 1]}\r\n`;
  }
  out += `X-Forwarded-For: ${f.fwd}\r\nX-Forwarded-Proto: http\r\nX-Forwarded-Port: ${f.routerPort}\r\nX-Request-Start: ${f.receivedAt}\r\nX-Request-Id: ${f.requestId}\r\nVia: ${appendVia(via)}\r\n`;
  if (f.chunked) out += 'Transfer-Encoding: chunked\r\n';
  return `${out}\r\n`;
}

/**
 * The response head the client gets, as one string ending in CRLF CRLF. `chunked`: the body is
 * relayed with its chunked framing (Transfer-Encoding kept, any Content-Length dropped);
 * `close`: the connection closes after this response (Connection: close is said).
 */
export function clientResponseHead(h: ParsedHead, o: { chunked: boolean; close: boolean }): string {
  const named = connectionNamed(h);
  const { raw, lower } = h;
  let out = `HTTP/1.1 ${h.status} ${h.target}\r\n`;
  let via = '';
  for (let i = 0; i < lower.length; i++) {
    const name = lower[i];
    const special = responseSpecial(name);
    if (special === VIA_HEADER) {
      via = via === '' ? raw[2 * i + 1] : `${via}, ${raw[2 * i + 1]}`;
      continue;
    }
    if (special === DROP || name.startsWith('proxy-') || (named !== undefined && named.has(name))) continue;
    if (name === 'transfer-encoding' ? !o.chunked : (o.chunked && name === 'content-length')) continue;
    out += `${raw[2 * i]}: ${raw[2 * i + 1]}\r\n`;
  }
  out += `Via: ${appendVia(via)}\r\n`;
  if (o.close) out += 'Connection: close\r\n';
  return `${out}\r\n`;
}

/** Header names the Connection header lists (besides the usual close/keep-alive), or undefined when none. */
export function connectionNamed(h: ParsedHead): Set<string> | undefined {
  let named: Set<string> | undefined;
  const { raw, lower } = h;
  for (let i = 0; i < lower.length; i++) {
    if (lower[i] !== 'connection') continue;
    const v = raw[2 * i + 1];
    const lv = v.length <= 10 ? v.toLowerCase() : '';
    if (lv === 'keep-alive' || lv === 'close') continue;
    for (const t of headerTokens(v)) {
      if (t === 'close' || t === 'keep-alive') continue;
      (named ??= new Set()).add(t);
    }
  }
  return named;
}

/** Whether the Connection headers carry `token` (e.g. close, upgrade). */
export function connectionHas(h: ParsedHead, token: string): boolean {
  const { raw, lower } = h;
  for (let i = 0; i < lower.length; i++) {
    if (lower[i] !== 'connection') continue;
    const v = raw[2 * i + 1].toLowerCase();
    if (v === token || (v.includes(token) && headerTokens(v).includes(token))) return true;
  }
  return false;
}

function appendVia(prior: string): string {
  if (prior === '') return VIA;
  const parts = prior.split(',').map(trimOws).filter((t) => t !== '');
  parts.push(VIA);
  return parts.join(', ');
}
