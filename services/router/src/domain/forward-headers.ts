import { trimOws } from './http-head.js';

/** Header maps as node:http gives and takes them (lowercase names; set-cookie as an array). */
export type HeaderMap = Record<string, string | string[] | number | undefined>;

/** How the router names itself in Via, like Heroku's `1.1 vegur`. */
export const VIA = '1.1 paas-router';

/** Headers that describe one connection, not the message: never forwarded in either direction. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'te', 'trailer', 'transfer-encoding', 'upgrade']);

/** What the router knows about a request that the dyno should learn from headers. */
export interface ForwardFacts {
  clientAddress: string;
  /** The port the client connected to. */
  routerPort: number;
  requestId: string;
  /** When the router received the request, ms since epoch. */
  receivedAt: number;
  protocol: 'http' | 'https';
}

/**
 * A copy of `headers` without hop-by-hop ones: the fixed list, every `proxy-*` header and every
 * header the Connection header names.
 */
export function withoutHopByHop(headers: HeaderMap): HeaderMap {
  const connection = Object.entries(headers).filter(([name]) => name.toLowerCase() === 'connection').map(([, v]) => v);
  const named = new Set(connection.flatMap(listValues).map((t) => t.toLowerCase()));
  const out: HeaderMap = {};
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (value === undefined || HOP_BY_HOP.has(lower) || lower.startsWith('proxy-') || named.has(lower)) continue;
    out[lower] = value;
  }
  return out;
}

/** The headers sent to the dyno: the client's end-to-end headers plus Heroku's X-Forwarded-*, X-Request-*, Via. */
export function upstreamHeaders(incoming: HeaderMap, f: ForwardFacts): HeaderMap {
  const out = withoutHopByHop(incoming);
  out['x-forwarded-for'] = forwardedFor(incoming, f.clientAddress);
  out['x-forwarded-proto'] = f.protocol;
  out['x-forwarded-port'] = String(f.routerPort);
  out['x-request-start'] = String(f.receivedAt);
  out['x-request-id'] = f.requestId;
  out.via = appendVia(incoming.via);
  // The body's framing is per connection: node re-chunks it towards the dyno when told to.
  if (incoming['transfer-encoding'] !== undefined) out['transfer-encoding'] = 'chunked';
  return out;
}

/** The headers sent back to the client: the dyno's end-to-end headers plus Via. */
export function downstreamHeaders(fromDyno: HeaderMap): HeaderMap {
  const out = withoutHopByHop(fromDyno);
  out.via = appendVia(fromDyno.via);
  return out;
}

/** X-Forwarded-For with the client's address appended to whatever proxies before us said. */
export function forwardedFor(incoming: HeaderMap, clientAddress: string): string {
  const prior = listValues(incoming['x-forwarded-for']);
  return [...prior, clientAddress].join(', ');
}

function appendVia(existing: HeaderMap[string]): string {
  return [...listValues(existing), VIA].join(', ');
}

/** The comma-separated tokens of a header, however many times it was sent. */
function listValues(value: HeaderMap[string]): string[] {
  if (value === undefined) return [];
  const all = Array.isArray(value) ? value.join(',') : String(value);
  return all.split(',').map(trimOws).filter((t) => t !== '');
}
