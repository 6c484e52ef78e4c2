import { networkInterfaces } from 'node:os';
import type { OwnListeners } from './address-guard.js';

function portOf(raw: string | undefined, fallback: number): number {
  if (!raw) return fallback;
  try {
    return Number(new URL(raw).port) || fallback;
  } catch {
    return fallback;
  }
}

function num(raw: string | undefined, fallback: number): number {
  const n = Number(raw);
  return raw && Number.isInteger(n) && n > 0 && n < 65536 ? n : fallback;
}

/**
 * The ports the platform and the services it relies on listen on, as its settings name them:
 * the api (HTTP, HTTPS, gRPC, rendezvous), the registry, the router, NATS, the event log's
 * PostgreSQL and the add-on servers. A service that knows its own bound ports adds them.
 */
export function platformPortsFromEnv(env: NodeJS.ProcessEnv = process.env): number[] {
  const nats = (env.NATS_URL || 'nats://127.0.0.1:4222').split(',').map((u) => portOf(u.trim(), 4222));
  return [
    num(env.PAAS_API_PORT, 5000), num(env.PAAS_API_TLS_PORT, 5443), num(env.PAAS_GRPC_PORT, 5001), num(env.PAAS_RENDEZVOUS_PORT, 5002),
    num(env.PAAS_REGISTRY_PORT, 5003), num(env.PAAS_ROUTER_PORT, 8080), num(env.PAAS_ROUTER_TLS_PORT, 0), ...nats,
    portOf(env.DATABASE_URL, 5432), portOf(env.PAAS_ADDON_POSTGRES_URL, 5432), portOf(env.PAAS_ADDON_REDIS_URL, 6379),
  ].filter((p) => p > 0);
}

/** This machine's addresses, as the guard compares them. */
export function localAddresses(): string[] {
  return Object.values(networkInterfaces()).flatMap((list) => (list ?? []).map((i) => i.address.replace(/%.*$/, '')));
}

/** The platform's listeners on this machine as its settings name them, the dynos' port range among them. */
export function platformListenersFromEnv(env: NodeJS.ProcessEnv = process.env): OwnListeners {
  return {
    ports: platformPortsFromEnv(env),
    portRanges: [[num(env.PAAS_DYNO_PORT_MIN, 20_000), num(env.PAAS_DYNO_PORT_MAX, 29_999)]],
    localAddresses: localAddresses(),
  };
}
