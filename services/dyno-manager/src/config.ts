import { messagingSettingsFromEnv, type MessagingSettings } from '@paas/messaging';
import { resolve } from 'node:path';

/** Everything the dyno-manager service reads from its environment, validated at boot. */
export interface DynoManagerSettings {
  messaging: MessagingSettings;
  /** Repos, blobs and dyno directories (PAAS_DATA_DIR). */
  dataDir: string;
  /** Only `process` exists today; `docker` is a later step (PAAS_RUNTIME). */
  runtime: 'process';
  /** Range $PORT values are taken from (PAAS_DYNO_PORT_MIN / PAAS_DYNO_PORT_MAX). */
  portMin: number;
  portMax: number;
  /** Time between SIGTERM and SIGKILL when a dyno stops (PAAS_DYNO_STOP_GRACE_MS). */
  stopGraceMs: number;
  /** A web dyno must accept TCP on its $PORT within this, else R10 (PAAS_BOOT_TIMEOUT_MS). */
  bootTimeoutMs: number;
  /** Back-off before the second restart of a crashing dyno, doubling after (PAAS_RESTART_BACKOFF_MS). */
  restartBackoffBaseMs: number;
  /** Longest back-off; a run this long resets the count (PAAS_RESTART_BACKOFF_MAX_MS). */
  restartBackoffMaxMs: number;
  /** Re-sync with the release service and re-plan every app this often (PAAS_RECONCILE_INTERVAL_MS). */
  reconcileIntervalMs: number;
  /** Wait between tries to reach the release service at boot (PAAS_DESIRED_STATE_RETRY_MS). */
  desiredStateRetryMs: number;
}

function whole(env: NodeJS.ProcessEnv, key: string, fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  const raw = env[key];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${key}="${raw}" is not a whole number between ${min} and ${max}`);
  return n;
}

export function dynoManagerSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): DynoManagerSettings {
  const runtime = env.PAAS_RUNTIME || 'process';
  if (runtime !== 'process') {
    throw new Error(`PAAS_RUNTIME="${runtime}" is not available: only the process runtime exists yet (the docker runtime is a later step); set PAAS_RUNTIME=process or leave it unset`);
  }
  const portMin = whole(env, 'PAAS_DYNO_PORT_MIN', 20000, 1024, 65535);
  const portMax = whole(env, 'PAAS_DYNO_PORT_MAX', 29999, 1024, 65535);
  if (portMax < portMin) throw new Error(`PAAS_DYNO_PORT_MAX (${portMax}) is below PAAS_DYNO_PORT_MIN (${portMin}): give a range of at least one port`);
  const backoffBase = whole(env, 'PAAS_RESTART_BACKOFF_MS', 1000, 1);
  const backoffMax = whole(env, 'PAAS_RESTART_BACKOFF_MAX_MS', 300_000, 1);
  if (backoffMax < backoffBase) throw new Error(`PAAS_RESTART_BACKOFF_MAX_MS (${backoffMax}) is below PAAS_RESTART_BACKOFF_MS (${backoffBase})`);
  return {
    messaging: messagingSettingsFromEnv(env),
    dataDir: resolve(env.PAAS_DATA_DIR || '.paas-data'),
    runtime,
    portMin,
    portMax,
    stopGraceMs: whole(env, 'PAAS_DYNO_STOP_GRACE_MS', 30_000),
    bootTimeoutMs: whole(env, 'PAAS_BOOT_TIMEOUT_MS', 60_000, 1),
    restartBackoffBaseMs: backoffBase,
    restartBackoffMaxMs: backoffMax,
    reconcileIntervalMs: whole(env, 'PAAS_RECONCILE_INTERVAL_MS', 30_000, 100),
    desiredStateRetryMs: whole(env, 'PAAS_DESIRED_STATE_RETRY_MS', 2000, 10),
  };
}
