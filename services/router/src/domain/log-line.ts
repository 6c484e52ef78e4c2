import { ROUTER_ERRORS, type RouterErrorCode } from './router-errors.js';

/** What one request did, as the `heroku[router]` log line reports it; absent fields print blank. */
export interface RequestRecord {
  method: string;
  path: string;
  host: string;
  requestId: string;
  fwd: string;
  protocol: 'http' | 'https';
  status: number;
  /** Set when the router failed the request (at=error code=... desc=...). */
  code?: RouterErrorCode;
  dyno?: string;
  connectMs?: number;
  serviceMs?: number;
  bytes?: number;
}

/**
 * The line Heroku's router writes for a request:
 * `at=info method=GET path="/" host=... request_id=... fwd="..." dyno=web.1 connect=0ms service=3ms status=200 bytes=13 protocol=http`,
 * errors prefixed with `at=error code=H14 desc="No web processes running"`.
 */
export function routerLogLine(r: RequestRecord): string {
  return format(r, '"', plain);
}

/**
 * The same line as the inside of a JSON string (exactly what JSON.stringify(routerLogLine(r)) has
 * between its quotes), built in one pass: the router writes one per request into a LogLine.
 */
export function routerLogLineJson(r: RequestRecord): string {
  return format(r, '\\"', jsonText);
}

function format(r: RequestRecord, q: string, text: (s: string) => string): string {
  const head = r.code ? `at=error code=${r.code} desc=${q}${ROUTER_ERRORS[r.code].desc}${q}` : 'at=info';
  return `${head} method=${text(r.method)} path=${q}${text(quoted(r.path))}${q} host=${text(r.host)} request_id=${text(r.requestId)} ` +
    `fwd=${q}${text(quoted(r.fwd))}${q} dyno=${text(r.dyno ?? '')} connect=${ms(r.connectMs)} service=${ms(r.serviceMs)} ` +
    `status=${r.status} bytes=${r.bytes ?? ''} protocol=${r.protocol}`;
}

function ms(v: number | undefined): string {
  return v === undefined ? '' : `${Math.max(0, Math.round(v))}ms`;
}

/** `\` and `"` escaped, so a hostile path cannot forge fields (the caller adds the quotes). */
function quoted(s: string): string {
  if (s.indexOf('"') < 0 && s.indexOf('\\') < 0) return s;
  return s.replace(/[\\"]/g, (c) => `\\${c}`);
}

function plain(s: string): string {
  return s;
}

/** s as it appears inside a JSON string (a plain loop: this runs for every field of every request's line). */
function jsonText(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x5c || (c >= 0xd800 && c <= 0xdfff)) return JSON.stringify(s).slice(1, -1);
  }
  return s;
}
