import { z } from 'zod';
import { boundedUrl, MAX_URL } from './urls.js';

/**
 * Log drains: where an app's log is forwarded besides the platform's own history. The rules of
 * a drain URL live here so the release service (which records drains) and the api (which
 * delivers to them) agree on them.
 */

/** Schemes a drain URL may have: syslog over TLS or plain TCP (`syslog://` is plain TCP, as on Heroku) and HTTPS. */
export const DRAIN_SCHEMES = ['syslog+tls', 'syslog+tcp', 'syslog', 'https'] as const;
export type DrainScheme = (typeof DRAIN_SCHEMES)[number];
export type DrainTransport = 'syslog-tcp' | 'syslog-tls' | 'https';


/** A drain URL as recorded (checked with drainUrlProblem before it is accepted). */
export const drainUrl = z.string().min(1).max(MAX_URL);
/** Heroku's drain token: `d.` and a uuid; written into every message sent to that drain. */
export const drainToken = z.string().regex(/^d\.[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);

/** Where and how to deliver to a drain, parsed from its URL. */
export interface DrainTarget {
  transport: DrainTransport;
  host: string;
  port: number;
  /** The whole URL, for HTTPS drains (path, query and credentials included). */
  url: URL;
}

/** What to tell a user whose URL is refused: the schemes we take, with examples. */
export const ACCEPTED_DRAIN_URLS = 'use syslog+tls://host:port, syslog+tcp://host:port (or syslog://host:port) or https://host/path';

/** Why a URL cannot be a drain, or null when it can; never repeats the URL (it may hold secrets). */
export function drainUrlProblem(raw: string): string | null {
  const url = boundedUrl(raw);
  if (typeof url === 'string') return url;
  const scheme = url.protocol.replace(/:$/, '');
  if (!(DRAIN_SCHEMES as readonly string[]).includes(scheme)) return `the scheme ${JSON.stringify(scheme.slice(0, 20))} is not accepted`;
  if (url.hostname === '') return 'it has no host';
  if (scheme.startsWith('syslog') && (url.pathname !== '' && url.pathname !== '/' || url.search !== '')) return 'a syslog drain takes a host and port only, no path or query';
  return null;
}

/** The target of an accepted drain URL (default ports: 514 plain syslog, 6514 syslog over TLS, 443 HTTPS). */
export function drainTarget(raw: string): DrainTarget {
  const url = new URL(raw);
  const scheme = url.protocol.replace(/:$/, '') as DrainScheme;
  const transport: DrainTransport = scheme === 'https' ? 'https' : scheme === 'syslog+tls' ? 'syslog-tls' : 'syslog-tcp';
  const fallback = transport === 'https' ? 443 : transport === 'syslog-tls' ? 6514 : 514;
  // IPv6 literals come bracketed from URL; sockets want them bare.
  return { transport, host: url.hostname.replace(/^\[|\]$/g, ''), port: url.port ? Number(url.port) : fallback, url };
}

/** The URL without what may be secret (credentials, path, query): safe for log lines and error messages. */
export function redactDrainUrl(raw: string): string {
  try {
    const url = new URL(raw);
    const secret = url.username !== '' || url.password !== '' || url.search !== '' || (url.pathname !== '' && url.pathname !== '/');
    return `${url.protocol}//${url.host}${secret ? '/...' : ''}`;
  } catch {
    return '(not a URL)';
  }
}
