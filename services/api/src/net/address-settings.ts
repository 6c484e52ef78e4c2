import { DRAINS, parseAllowList, REPOSITORIES, SOURCES, type AllowEntry } from '@paas/isolation';

/** What the address guard lets through besides public addresses, per kind of outbound connection. */
export interface AddressSettings {
  /** PAAS_REPO_ALLOWED_HOSTS: internal hosts (host:port) and ranges (CIDR) repositories may be fetched from. */
  repos: AllowEntry[];
  /** PAAS_SOURCE_ALLOWED_HOSTS: the same for source tarball URLs (Build API, app setups, Deploy page). */
  sources: AllowEntry[];
  /** PAAS_DRAIN_ALLOWED_HOSTS: the same for log drains. */
  drains: AllowEntry[];
  /** The dynos' $PORT range (PAAS_DYNO_PORT_MIN/MAX): the platform's listeners too. */
  dynoPorts: [number, number];
}

function port(env: NodeJS.ProcessEnv, key: string, fallback: number): number {
  const raw = env[key];
  const n = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isInteger(n) || n <= 0 || n > 65535) throw new Error(`${key}="${raw}" is not a port number`);
  return n;
}

export function addressSettingsFromEnv(env: NodeJS.ProcessEnv): AddressSettings {
  return {
    repos: parseAllowList(env[REPOSITORIES.env], REPOSITORIES.env),
    sources: parseAllowList(env[SOURCES.env], SOURCES.env),
    drains: parseAllowList(env[DRAINS.env], DRAINS.env),
    dynoPorts: [port(env, 'PAAS_DYNO_PORT_MIN', 20_000), port(env, 'PAAS_DYNO_PORT_MAX', 29_999)],
  };
}
