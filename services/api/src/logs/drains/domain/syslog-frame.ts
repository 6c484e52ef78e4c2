import { rfc3339Micros, type LogLine } from '@paas/contracts';

/**
 * Log lines as Logplex sends them to drains: one RFC 5424 message per line,
 * `<PRI>1 TIMESTAMP TOKEN SOURCE DYNO - - MESSAGE\n`, where the host field carries the drain's
 * token, the app-name field the source (app, heroku) and the procid the dyno (web.1, router);
 * each message is framed by octet counting (RFC 6587): `<length> <message>`.
 */

// Facilities Heroku documents (local0, local3, local7) at severity info; Logplex's own notices are local5.warning.
const PRI = { app: 23 * 8 + 6, router: 19 * 8 + 6, heroku: 16 * 8 + 6, logplex: 21 * 8 + 4 } as const;

/** The syslog priority of a line: facility * 8 + severity. */
export function priority(l: Pick<LogLine, 'source' | 'dyno'>): number {
  if (l.source === 'app') return PRI.app;
  return l.dyno === 'router' ? PRI.router : l.dyno === 'logplex' ? PRI.logplex : PRI.heroku;
}

/** One line as a syslog message for the drain with `token`; line breaks inside the text become spaces. */
export function syslogMessage(l: LogLine, token: string): string {
  const text = l.line.replace(/\r\n|\r|\n/g, ' ');
  return `<${priority(l)}>1 ${rfc3339Micros(l.ts)} ${token} ${l.source} ${field(l.dyno)} - - ${text}\n`;
}

/** An octet-counted frame: the message's length in bytes, a space, the message. */
export function octetFrame(message: string): string {
  return `${Buffer.byteLength(message, 'utf8')} ${message}`;
}

/** Lines as the body of a syslog stream or an application/logplex-1 POST. */
export function frames(lines: readonly LogLine[], token: string): string {
  return lines.map((l) => octetFrame(syslogMessage(l, token))).join('');
}

/** RFC 5424 header fields are printable ASCII without spaces, at most 128 characters. */
function field(s: string): string {
  const clean = s.replace(/[^\x21-\x7e]/g, '_').slice(0, 128);
  return clean === '' ? '-' : clean;
}

/** One frame read back: what a test's syslog server or HTTPS endpoint sees. */
export interface ParsedFrame {
  pri: number;
  timestamp: string;
  host: string;
  appName: string;
  procId: string;
  message: string;
}

/**
 * Splits octet-counted frames and parses each message; what is left over (an incomplete frame)
 * comes back as `rest`. Used by tests and by anyone checking what a drain receives.
 */
export function parseFrames(data: Buffer): { frames: ParsedFrame[]; rest: Buffer } {
  const out: ParsedFrame[] = [];
  let at = 0;
  for (;;) {
    const space = data.indexOf(0x20, at);
    if (space < 0) break;
    const len = Number(data.subarray(at, space).toString('ascii'));
    if (!Number.isInteger(len) || len <= 0) throw new Error(`not an octet-counted frame at byte ${at}`);
    if (data.length < space + 1 + len) break;
    out.push(parseMessage(data.subarray(space + 1, space + 1 + len).toString('utf8')));
    at = space + 1 + len;
  }
  return { frames: out, rest: data.subarray(at) };
}

const MESSAGE = /^<(\d{1,3})>1 (\S+) (\S+) (\S+) (\S+) - - ([^]*?)\n?$/;

/** One RFC 5424 message in Logplex's layout. */
export function parseMessage(text: string): ParsedFrame {
  const m = MESSAGE.exec(text);
  if (!m) throw new Error(`not a Logplex syslog message: ${JSON.stringify(text.slice(0, 80))}`);
  return { pri: Number(m[1]), timestamp: m[2]!, host: m[3]!, appName: m[4]!, procId: m[5]!, message: m[6]! };
}
