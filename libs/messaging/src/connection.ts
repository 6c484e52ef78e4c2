import { connect, type NatsConnection } from '@nats-io/transport-node';
import { names, type Names } from '@paas/contracts';

/** Settings every service shares for talking to NATS. */
export interface MessagingSettings {
  natsUrl: string;
  namespace: string;
  /** Deliveries of one event before it is parked. */
  maxDeliver: number;
  /** Delay before a failed event is redelivered (doubles with each try). */
  retryDelayMs: number;
  rpcTimeoutMs: number;
  /** Lines kept per app by the logs stream (PAAS_LOG_LINES, default 1500 as Logplex); absent = 1500. */
  logLines?: number;
}

/** A positive whole number from the environment (the fallback when unset), failing at boot with what to set. */
export function positiveIntFromEnv(env: NodeJS.ProcessEnv, key: string, fallback: number): number {
  const raw = env[key];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${key}="${raw}" is not a positive whole number (default ${fallback})`);
  return n;
}

/** Reads the messaging settings from the environment, failing with what to set. */
export function messagingSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): MessagingSettings {
  const int = (key: string, fallback: number): number => positiveIntFromEnv(env, key, fallback);
  const settings = {
    natsUrl: env.NATS_URL || 'nats://127.0.0.1:4222',
    namespace: env.PAAS_NAMESPACE || 'paas',
    maxDeliver: int('PAAS_MAX_DELIVER', 5),
    retryDelayMs: int('PAAS_RETRY_DELAY_MS', 1000),
    rpcTimeoutMs: int('PAAS_RPC_TIMEOUT_MS', 10_000),
    logLines: int('PAAS_LOG_LINES', 1500),
  };
  names(settings.namespace); // validates
  return settings;
}

/** Connects to NATS, or fails with a message that says what to start. */
export async function connectNats(url: string, name: string): Promise<NatsConnection> {
  try {
    return await connect({ servers: url, name, maxReconnectAttempts: -1, reconnectTimeWait: 500 });
  } catch (err) {
    throw new Error(
      `NATS is not reachable at ${url} (${(err as Error).message}). Start a NATS server with JetStream ` +
      `(e.g. "nats-server -a 127.0.0.1 -p 4222 -js") or set NATS_URL.`,
    );
  }
}

export type { NatsConnection, Names };
