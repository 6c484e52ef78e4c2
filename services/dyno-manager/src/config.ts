import { messagingSettingsFromEnv, type MessagingSettings } from '@paas/messaging';
import { resolve } from 'node:path';
import { loopbackAddonServers, routerPorts, type RelayTarget } from '@paas/isolation';
import { DEFAULT_STACK_IMAGE } from './adapters/runtime/stack-image.js';

/** Everything the dyno-manager service reads from its environment, validated at boot. */
export interface DynoManagerSettings {
  messaging: MessagingSettings;
  /** Repos, blobs and dyno directories (PAAS_DATA_DIR). */
  dataDir: string;
  /**
   * The runtime driver (PAAS_RUNTIME): `auto` (the default: docker when an engine answers at boot), `docker`, or `process`
   * (else the process runtime).
   */
  runtime: 'process' | 'docker' | 'auto';
  /** The image docker dynos run in (PAAS_STACK_IMAGE); the default one is built when missing. */
  stackImage: string;
  /** The router's way in, which docker dynos may reach at any host address (PAAS_ROUTER_PORT, PAAS_ROUTER_TLS_PORT). */
  routerPorts: number[];
  /** Add-on servers on the host's loopback, relayed to docker dynos from their network's gateway. */
  addonServers: RelayTarget[];
  /** Replaces every dyno size's memory quota with this many MB (PAAS_DYNO_MEMORY_MB); docker only. */
  memoryMb: number | undefined;
  /** How often docker dynos' memory is sampled for R14 lines, 0 = never (PAAS_MEMORY_CHECK_MS). */
  memoryCheckMs: number;
  /** Range $PORT values are taken from (PAAS_DYNO_PORT_MIN / PAAS_DYNO_PORT_MAX). */
  portMin: number;
  portMax: number;
  /** Time between SIGTERM and SIGKILL when a dyno stops (PAAS_DYNO_STOP_GRACE_MS). */
  stopGraceMs: number;
  /** Between taking a web dyno out of the route table and SIGTERM: time for every router to see it. */
  routeDrainMs: number;
  /** A web dyno must accept TCP on its $PORT within this, else R10 (PAAS_BOOT_TIMEOUT_MS). */
  bootTimeoutMs: number;
  /** Cool-off before the second restart of a crashing dyno; later ones are 2, 3, 9, 16 times it (PAAS_RESTART_BACKOFF_MS). */
  restartBackoffBaseMs: number;
  /** Longest cool-off; a run this long resets the count (PAAS_RESTART_BACKOFF_MAX_MS). */
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
  const runtime = env.PAAS_RUNTIME || 'auto';
  if (runtime !== 'process' && runtime !== 'docker' && runtime !== 'auto') {
    throw new Error(`PAAS_RUNTIME="${runtime}" is not a runtime: set process, docker or auto (docker when an engine answers), or leave it unset for auto`);
  }
  if (env.PAAS_DOCKER_NETWORK) {
    throw new Error('PAAS_DOCKER_NETWORK is no longer read: docker dynos always run on the platform\'s tenant network (see the README); unset it');
  }
  const memoryMb = whole(env, 'PAAS_DYNO_MEMORY_MB', 0, 0, 1024 * 1024);
  const portMin = whole(env, 'PAAS_DYNO_PORT_MIN', 20000, 1024, 65535);
  const portMax = whole(env, 'PAAS_DYNO_PORT_MAX', 29999, 1024, 65535);
  if (portMax < portMin) throw new Error(`PAAS_DYNO_PORT_MAX (${portMax}) is below PAAS_DYNO_PORT_MIN (${portMin}): give a range of at least one port`);
  const backoffBase = whole(env, 'PAAS_RESTART_BACKOFF_MS', 20 * 60_000, 1);
  const backoffMax = whole(env, 'PAAS_RESTART_BACKOFF_MAX_MS', 320 * 60_000, 1);
  if (backoffMax < backoffBase) throw new Error(`PAAS_RESTART_BACKOFF_MAX_MS (${backoffMax}) is below PAAS_RESTART_BACKOFF_MS (${backoffBase})`);
  return {
    messaging: messagingSettingsFromEnv(env),
    dataDir: resolve(env.PAAS_DATA_DIR || '.paas-data'),
    runtime,
    stackImage: env.PAAS_STACK_IMAGE || DEFAULT_STACK_IMAGE,
    routerPorts: routerPorts(env),
    addonServers: loopbackAddonServers(env),
    memoryMb: memoryMb || undefined,
    memoryCheckMs: whole(env, 'PAAS_MEMORY_CHECK_MS', 20_000),
    portMin,
    portMax,
    stopGraceMs: whole(env, 'PAAS_DYNO_STOP_GRACE_MS', 30_000),
    routeDrainMs: whole(env, 'PAAS_ROUTE_DRAIN_MS', 1000),
    bootTimeoutMs: whole(env, 'PAAS_BOOT_TIMEOUT_MS', 60_000, 1),
    restartBackoffBaseMs: backoffBase,
    restartBackoffMaxMs: backoffMax,
    reconcileIntervalMs: whole(env, 'PAAS_RECONCILE_INTERVAL_MS', 30_000, 100),
    desiredStateRetryMs: whole(env, 'PAAS_DESIRED_STATE_RETRY_MS', 2000, 10),
  };
}
