import type { RelayTarget } from './addon-relay.js';

/**
 * Settings shared by every service that starts tenant containers: what of this host tenants may
 * reach (the router's way in, the add-on servers relayed to them), and how URLs that name the
 * host's loopback are given to them.
 */

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

function portOf(raw: string | undefined, fallback: number, key: string): number {
  if (raw === undefined || raw === '') return fallback;
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new Error(`${key} is not a URL`);
  }
  return u.port ? Number(u.port) : fallback;
}

function wholePort(raw: string | undefined, fallback: number, key: string): number {
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`${key}="${raw}" is not a port number`);
  return n;
}

/** The add-on servers of PAAS_ADDON_POSTGRES_URL and PAAS_ADDON_REDIS_URL that listen on the host's loopback (relayed to tenants). */
export function loopbackAddonServers(env: NodeJS.ProcessEnv = process.env): RelayTarget[] {
  const servers: RelayTarget[] = [
    { kind: 'postgres', host: hostOf(env.PAAS_ADDON_POSTGRES_URL, '127.0.0.1'), port: portOf(env.PAAS_ADDON_POSTGRES_URL, 5432, 'PAAS_ADDON_POSTGRES_URL') },
    { kind: 'redis', host: hostOf(env.PAAS_ADDON_REDIS_URL, '127.0.0.1'), port: portOf(env.PAAS_ADDON_REDIS_URL, 6379, 'PAAS_ADDON_REDIS_URL') },
  ];
  return servers.filter((s) => LOOPBACK.has(s.host)).map((s) => ({ ...s, host: s.host === 'localhost' ? '127.0.0.1' : s.host.replace(/^\[|\]$/g, '') }));
}

function hostOf(raw: string | undefined, fallback: string): string {
  return raw ? new URL(raw).hostname : fallback;
}

/** The router's way in (PAAS_ROUTER_PORT and, when set, PAAS_ROUTER_TLS_PORT): the one port a tenant may reach at any host address. */
export function routerPorts(env: NodeJS.ProcessEnv = process.env): number[] {
  const ports = [wholePort(env.PAAS_ROUTER_PORT, 8080, 'PAAS_ROUTER_PORT'), wholePort(env.PAAS_ROUTER_TLS_PORT, 0, 'PAAS_ROUTER_TLS_PORT')];
  return [...new Set(ports.filter((p) => p > 0))];
}

const DEFAULT_PORTS: Record<string, number> = { 'postgres:': 5432, 'postgresql:': 5432, 'redis:': 6379, 'rediss:': 6379, 'http:': 80, 'https:': 443 };

/**
 * A tenant's environment as seen from its container: a URL value naming the host's loopback at a
 * relayed port (an add-on's DATABASE_URL on 127.0.0.1:5432, say) names the network's gateway
 * instead, where the relay answers. Every other value passes unchanged (an app's URL of itself
 * on localhost stays its own).
 */
export function envForTenant(env: Readonly<Record<string, string>>, gateway: string, relayedPorts: readonly number[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) out[k] = loopbackToGateway(v, gateway, relayedPorts);
  return out;
}

function loopbackToGateway(value: string, gateway: string, relayedPorts: readonly number[]): string {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return value;
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    return value;
  }
  const port = u.port ? Number(u.port) : DEFAULT_PORTS[u.protocol];
  if (!LOOPBACK.has(u.hostname) || port === undefined || !relayedPorts.includes(port)) return value;
  u.hostname = gateway;
  return u.toString();
}
