import type { RelayTarget } from './addon-relay.js';

/**
 * Settings shared by every service that starts tenant containers: which host ports tenants may
 * reach, and how URLs that name the host's loopback are given to them.
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

/**
 * The host TCP ports tenants may open connections to: the router's way in (PAAS_ROUTER_PORT and,
 * when set, PAAS_ROUTER_TLS_PORT) and the add-on servers (the ports of PAAS_ADDON_POSTGRES_URL and
 * PAAS_ADDON_REDIS_URL), which answer only with an add-on's credentials. Nothing else of the host.
 */
export function tenantOpenPorts(env: NodeJS.ProcessEnv = process.env): number[] {
  const ports = [
    wholePort(env.PAAS_ROUTER_PORT, 8080, 'PAAS_ROUTER_PORT'),
    wholePort(env.PAAS_ROUTER_TLS_PORT, 0, 'PAAS_ROUTER_TLS_PORT'),
    portOf(env.PAAS_ADDON_POSTGRES_URL, 5432, 'PAAS_ADDON_POSTGRES_URL'),
    portOf(env.PAAS_ADDON_REDIS_URL, 6379, 'PAAS_ADDON_REDIS_URL'),
  ];
  return [...new Set(ports.filter((p) => p > 0))];
}

const DEFAULT_PORTS: Record<string, number> = { 'postgres:': 5432, 'postgresql:': 5432, 'redis:': 6379, 'rediss:': 6379, 'http:': 80, 'https:': 443 };

/**
 * A tenant's environment as seen from its container: a URL value naming the host's loopback at
 * one of the open ports (an add-on's DATABASE_URL on 127.0.0.1:5432, say) names the host's address
 * on the tenant network instead, where the same server answers when it listens there. Every
 * other value passes unchanged (an app's URL of itself on localhost stays its own).
 */
export function envForTenant(env: Readonly<Record<string, string>>, gateway: string, openPorts: readonly number[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) out[k] = loopbackToGateway(v, gateway, openPorts);
  return out;
}

function loopbackToGateway(value: string, gateway: string, openPorts: readonly number[]): string {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return value;
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    return value;
  }
  const port = u.port ? Number(u.port) : DEFAULT_PORTS[u.protocol];
  if (!LOOPBACK.has(u.hostname) || port === undefined || !openPorts.includes(port)) return value;
  u.hostname = gateway;
  return u.toString();
}
