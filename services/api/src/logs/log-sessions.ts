import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { logSource, type LogLine } from '@paas/contracts';

/**
 * Log sessions as signed tokens: the CLI fetches logplex_url without credentials, so the URL
 * itself carries what to stream, signed with a key derived from the admin API key. Any api
 * process with the same key can serve it; nothing is stored.
 */

/** Heroku keeps the last 1500 lines of an app; its CLI asks for 100 unless told. */
export const MAX_LINES = 1500;
export const DEFAULT_LINES = 100;
/** How long a session may wait before it is first connected (Heroku: about 5 minutes). */
export const SESSION_TTL_MS = 5 * 60_000;
/** How long after that a tail may still reconnect with Last-Event-ID (Heroku: about an hour). */
export const RECONNECT_GRACE_MS = 60 * 60_000;

/** What one session streams: an app's last `lines` lines matching the filters, then new ones when tailing. */
export interface LogSession {
  appId: string;
  lines: number;
  tail: boolean;
  source: 'app' | 'heroku' | null;
  dyno: string | null;
  /** Until when the session may be started, in ms since the epoch. */
  exp: number;
}

const sessionSchema = z.strictObject({
  appId: z.string().min(1), lines: z.number().int().min(0).max(MAX_LINES), tail: z.boolean(),
  source: logSource.nullable(), dyno: z.string().min(1).nullable(), exp: z.number().int(),
});

/** POST /apps/:app/log-sessions body; unknown fields (the CLI's `type` for Fir apps) are ignored. */
export const logSessionBody = z.object({
  lines: z.number().int().min(0).transform((n) => Math.min(n, MAX_LINES)).optional(),
  tail: z.boolean().optional(),
  source: logSource.optional(),
  dyno: z.string().min(1).max(100).optional(),
}).nullish();

/** The session a create request asks for, valid for SESSION_TTL_MS from `now`. */
export function sessionFor(appId: string, body: unknown, now: number): LogSession {
  const b = logSessionBody.parse(body) ?? {};
  return { appId, lines: b.lines ?? DEFAULT_LINES, tail: b.tail ?? false, source: b.source ?? null, dyno: b.dyno ?? null, exp: now + SESSION_TTL_MS };
}

/** The signing key for log session tokens, derived so the admin key itself never signs anything. */
export function sessionKey(apiKey: string): Buffer {
  return createHmac('sha256', apiKey).update('paas log-sessions v1').digest();
}

/** `<payload>.<signature>`, both base64url: safe in a URL path. */
export function signSession(session: LogSession, key: Buffer): string {
  const payload = Buffer.from(JSON.stringify(session)).toString('base64url');
  return `${payload}.${mac(payload, key)}`;
}

/**
 * The session a token carries, or undefined when it was tampered with or has expired. A
 * reconnecting tail (it sends Last-Event-ID) gets RECONNECT_GRACE_MS more.
 */
export function verifySession(token: string, key: Buffer, now: number, reconnecting = false): LogSession | undefined {
  const [payload, signature, ...rest] = token.split('.');
  if (!payload || !signature || rest.length > 0) return undefined;
  const expected = Buffer.from(mac(payload, key));
  const presented = Buffer.from(signature);
  if (expected.length !== presented.length || !timingSafeEqual(expected, presented)) return undefined;
  let session: LogSession;
  try {
    session = sessionSchema.parse(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')));
  } catch {
    return undefined;
  }
  return now <= session.exp + (reconnecting ? RECONNECT_GRACE_MS : 0) ? session : undefined;
}

function mac(payload: string, key: Buffer): string {
  return createHmac('sha256', key).update(payload).digest('base64url');
}

/** Whether a line passes a session's filters: `web` matches web.1 and web.2, `web.1` only itself. */
export function matches(session: Pick<LogSession, 'source' | 'dyno'>, l: LogLine): boolean {
  if (session.source && l.source !== session.source) return false;
  if (!session.dyno) return true;
  return session.dyno.includes('.') ? l.dyno === session.dyno : l.dyno === session.dyno || l.dyno.startsWith(`${session.dyno}.`);
}

/** One server-sent event: the stream sequence as its id (for Last-Event-ID), the text as data. */
export function sseEvent(id: number, text: string): string {
  return `id: ${id}\ndata: ${text.split(/\r\n|\r|\n/).join('\ndata: ')}\n\n`;
}

/** The sequence a reconnecting client saw last, from its Last-Event-ID header; undefined when absent or not one. */
export function lastEventId(header: string | undefined): number | undefined {
  return header !== undefined && /^\d{1,15}$/.test(header.trim()) ? Number(header.trim()) : undefined;
}
