import { z } from 'zod';

/**
 * One line of an app's log. A message on `<ns>.logs.<appId>` (JSON) carries either one line (a
 * LogLine object) or several, in order (an array of them): a busy writer such as the router
 * gathers its lines for a few milliseconds and sends them as one message, because the logs stream
 * stores, and each drain consumer acknowledges, per message. The stream keeps the last 1500
 * messages per app (Logplex keeps 1500 lines): at least 1500 lines. Every writer builds lines with
 * newLogLine; every reader parses a message with parseLogLines and shows a line with formatLogLine.
 */
export const logSource = z.enum(['app', 'heroku']);
export type LogSource = z.infer<typeof logSource>;

export const logLine = z.strictObject({
  /** ISO 8601 in UTC; writers put microseconds (older lines with milliseconds still parse). */
  ts: z.iso.datetime({ offset: true }),
  source: logSource,
  /** The process that spoke: web.1, run.1234, router, api. */
  dyno: z.string().min(1),
  line: z.string(),
});
export type LogLine = z.infer<typeof logLine>;

/** Now, in milliseconds since the epoch with a fractional part (microsecond resolution). */
export function nowWithMicros(): number {
  return performance.timeOrigin + performance.now();
}

/** An ISO timestamp with six fractional digits, e.g. 2026-11-24T21:00:00.123456Z. */
export function logTimestamp(epochMs: number): string {
  const wholeMs = Math.floor(epochMs);
  const micros = Math.min(999, Math.floor((epochMs - wholeMs) * 1000));
  return new Date(wholeMs).toISOString().replace('Z', `${String(micros).padStart(3, '0')}Z`);
}

/** Builds the message a service publishes for one line of an app's log. */
export function newLogLine(source: LogSource, dyno: string, line: string, epochMs: number = nowWithMicros()): LogLine {
  return { ts: logTimestamp(epochMs), source, dyno, line };
}

/** A published message as a log line, or undefined when it is not exactly one (readers skip it). */
export function parseLogLine(text: string): LogLine | undefined {
  try {
    const r = logLine.safeParse(JSON.parse(text));
    return r.success ? r.data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The lines a published message carries, in order: one for a LogLine object, each valid one for
 * an array of them, none for anything else (readers skip it).
 */
export function parseLogLines(text: string): LogLine[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return [];
  }
  const items = Array.isArray(value) ? value : [value];
  const lines: LogLine[] = [];
  for (const item of items) {
    const r = logLine.safeParse(item);
    if (r.success) lines.push(r.data);
  }
  return lines;
}

const ISO = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/i;

/** A line's time as Heroku shows it: RFC 3339 with six fractional digits and a numeric offset. */
export function rfc3339Micros(ts: string): string {
  const m = ISO.exec(ts);
  return m ? `${m[1]}.${(m[2] ?? '').padEnd(6, '0').slice(0, 6)}${m[3]!.toUpperCase() === 'Z' ? '+00:00' : m[3]}` : ts;
}

/** Heroku's text for a line: `2026-11-24T21:00:00.123456+00:00 app[web.1]: <line>`. */
export function formatLogLine(l: LogLine): string {
  return `${rfc3339Micros(l.ts)} ${l.source}[${l.dyno}]: ${l.line}`;
}
