import { parseAllowList, type AllowEntry } from '../domain/repo-address-guard.js';

/** Repository links: what may be fetched, for how long, how much. */
export interface RepoSettings {
  /** PAAS_REPO_ALLOWED_HOSTS: internal hosts (host:port) and ranges (CIDR) repositories may be fetched from. */
  allowed: AllowEntry[];
  /** PAAS_SOURCE_ALLOWED_HOSTS: the same for source tarball URLs (Build API, app setups, Deploy page). */
  sourcesAllowed: AllowEntry[];
  /** PAAS_DRAIN_ALLOWED_HOSTS: internal places log drains may send to. */
  drainsAllowed: AllowEntry[];
  /** PAAS_REPO_FETCH_TIMEOUT_MS: one fetch and archive of a commit, at most (default 120000). */
  fetchTimeoutMs: number;
  /** PAAS_REPO_MAX_MB: largest fetched pack and source tarball (default 500). */
  maxMb: number;
  /** The dynos' $PORT range (PAAS_DYNO_PORT_MIN/MAX): the platform's listeners too. */
  dynoPorts: [number, number];
}

function positive(env: NodeJS.ProcessEnv, key: string, fallback: number): number {
  const raw = env[key];
  const n = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${key}="${raw}" is not a positive whole number`);
  return n;
}

export function repoSettingsFromEnv(env: NodeJS.ProcessEnv): RepoSettings {
  return {
    allowed: parseAllowList(env.PAAS_REPO_ALLOWED_HOSTS),
    sourcesAllowed: parseAllowList(env.PAAS_SOURCE_ALLOWED_HOSTS, 'PAAS_SOURCE_ALLOWED_HOSTS'),
    drainsAllowed: parseAllowList(env.PAAS_DRAIN_ALLOWED_HOSTS, 'PAAS_DRAIN_ALLOWED_HOSTS'),
    fetchTimeoutMs: positive(env, 'PAAS_REPO_FETCH_TIMEOUT_MS', 120_000),
    maxMb: positive(env, 'PAAS_REPO_MAX_MB', 500),
    dynoPorts: [positive(env, 'PAAS_DYNO_PORT_MIN', 20_000), positive(env, 'PAAS_DYNO_PORT_MAX', 29_999)],
  };
}
