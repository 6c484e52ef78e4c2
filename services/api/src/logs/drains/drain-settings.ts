import { positiveIntFromEnv } from '@paas/messaging';

/** How the api delivers to log drains (read with the api's other settings, validated at boot). */
export interface DrainSettings {
  /** Lines one drain may have waiting; beyond that the oldest go, reported by an L10 line (PAAS_DRAIN_BUFFER_LINES, Logplex's 1024). */
  bufferLines: number;
  /** Lines per syslog write or HTTPS POST. */
  batchLines: number;
  /** First wait before a failed batch is tried again; doubles up to 30 s (PAAS_DRAIN_RETRY_MS). */
  retryMs: number;
  /** Tries of one batch before it is given up and counted as lost (PAAS_DRAIN_TRIES). */
  tries: number;
  /** Connecting, writing a batch or waiting for an HTTPS answer may take this long (PAAS_DRAIN_TIMEOUT_MS). */
  timeoutMs: number;
  /** How often the drain list is read again in full, besides on every drain change (PAAS_DRAIN_RESYNC_MS). */
  resyncMs: number;
}

export const MAX_RETRY_MS = 30_000;

/** Reads the drain settings, failing with what to set. */
export function drainSettingsFromEnv(env: NodeJS.ProcessEnv): DrainSettings {
  const int = (key: string, fallback: number): number => positiveIntFromEnv(env, key, fallback);
  return {
    bufferLines: int('PAAS_DRAIN_BUFFER_LINES', 1024),
    batchLines: 100,
    retryMs: int('PAAS_DRAIN_RETRY_MS', 1000),
    tries: int('PAAS_DRAIN_TRIES', 5),
    timeoutMs: int('PAAS_DRAIN_TIMEOUT_MS', 30_000),
    resyncMs: int('PAAS_DRAIN_RESYNC_MS', 30_000),
  };
}
