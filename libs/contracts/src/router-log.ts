/**
 * Reading Heroku's router log lines back: `at=info method=GET path="/" host=... request_id=...
 * fwd="..." dyno=web.1 connect=0ms service=3ms status=200 bytes=13 protocol=http`, errors with
 * `at=error code=H12 desc="Request timeout"` first and blank fields where they do not apply.
 * For clients and tests that filter or summarize requests from an app's log.
 */

/** A `heroku[router]` line's fields; what was blank or missing is null. */
export interface RouterLogFields {
  at: 'info' | 'error';
  code: string | null;
  desc: string | null;
  method: string;
  path: string;
  host: string;
  requestId: string | null;
  fwd: string | null;
  dyno: string | null;
  connectMs: number | null;
  serviceMs: number | null;
  status: number;
  bytes: number | null;
  protocol: string | null;
}

const PAIR = /([A-Za-z_][A-Za-z0-9_.-]*)=(?:"((?:[^"\\]|\\.)*)"|((?:[^"\s]\S*)?))(?:\s+|$)/y;

/** `key=value` pairs in order (logfmt); a quoted value loses its quotes and backslash escapes. Undefined when the text is not all pairs. */
export function parseLogfmt(text: string): Map<string, string> | undefined {
  const out = new Map<string, string>();
  const s = text.trim();
  PAIR.lastIndex = 0;
  while (PAIR.lastIndex < s.length) {
    const at = PAIR.lastIndex;
    const m = PAIR.exec(s);
    if (!m || m.index !== at) return undefined;
    out.set(m[1]!, m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : m[3]!);
  }
  return out;
}

/** The fields of a router line, or undefined when the text is not one (no at=, method, path, host or status). */
export function parseRouterLine(text: string): RouterLogFields | undefined {
  const f = parseLogfmt(text);
  const at = f?.get('at');
  const status = Number(f?.get('status'));
  if (!f || (at !== 'info' && at !== 'error') || !f.get('method') || !f.has('path') || !f.has('host') || !Number.isInteger(status)) return undefined;
  const blank = (k: string) => (f.get(k) ? f.get(k)! : null);
  const ms = (k: string) => {
    const m = /^(\d+)ms$/.exec(f.get(k) ?? '');
    return m ? Number(m[1]) : null;
  };
  const bytes = f.get('bytes');
  return {
    at, code: blank('code'), desc: blank('desc'), method: f.get('method')!, path: f.get('path')!, host: f.get('host')!,
    requestId: blank('request_id'), fwd: blank('fwd'), dyno: blank('dyno'), connectMs: ms('connect'), serviceMs: ms('service'),
    status, bytes: bytes && /^\d+$/.test(bytes) ? Number(bytes) : null, protocol: blank('protocol'),
  };
}
