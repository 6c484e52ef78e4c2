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
  // One template, built once per request (this runs for every request the router serves).
  const head = r.code ? `at=error code=${r.code} desc="${ROUTER_ERRORS[r.code].desc}"` : 'at=info';
  return `${head} method=${r.method} path=${quote(r.path)} host=${r.host} request_id=${r.requestId} fwd=${quote(r.fwd)} ` +
    `dyno=${r.dyno ?? ''} connect=${ms(r.connectMs)} service=${ms(r.serviceMs)} status=${r.status} bytes=${r.bytes ?? ''} protocol=${r.protocol}`;
}

function ms(v: number | undefined): string {
  return v === undefined ? '' : `${Math.max(0, Math.round(v))}ms`;
}

/** Double-quoted with `\` and `"` escaped, so a hostile path cannot forge fields. */
function quote(s: string): string {
  if (s.indexOf('"') < 0 && s.indexOf('\\') < 0) return `"${s}"`;
  return `"${s.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}
