import { messagingSettingsFromEnv, type MessagingSettings } from '@paas/messaging';
import { resolve } from 'node:path';

/** Everything the builder service reads from its environment, validated at boot. */
export interface BuilderSettings {
  messaging: MessagingSettings;
  /** Repos, blobs and dyno directories (PAAS_DATA_DIR). */
  dataDir: string;
  /** How long one build may run its commands in total before it is stopped (PAAS_BUILD_TIMEOUT_MS). */
  buildTimeoutMs: number;
  /** The largest slug a build may make, in MB (PAAS_MAX_SLUG_MB); a warning past 60% of it. */
  maxSlugMb: number;
  /**
   * Where buildpack builds run: on the host (the process runtime), in a container of the stack
   * image (the docker runtime), or in one when a Docker engine answers (auto), as PAAS_RUNTIME says.
   */
  buildIn: 'host' | 'stack' | 'auto';
  /** The stack image builds and dynos run in (PAAS_STACK_IMAGE). */
  stackImage: string;
}

const FIFTEEN_MINUTES = 15 * 60_000;

export function builderSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): BuilderSettings {
  return {
    messaging: messagingSettingsFromEnv(env),
    dataDir: resolve(env.PAAS_DATA_DIR || '.paas-data'),
    buildTimeoutMs: positiveMs(env, 'PAAS_BUILD_TIMEOUT_MS', FIFTEEN_MINUTES),
    maxSlugMb: positiveMb(env, 'PAAS_MAX_SLUG_MB', 500),
    buildIn: buildPlace(env.PAAS_RUNTIME),
    stackImage: env.PAAS_STACK_IMAGE || 'paas/stack:bookworm',
  };
}

function positiveMs(env: NodeJS.ProcessEnv, key: string, fallback: number): number {
  const raw = env[key];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) {
    throw new Error(`${key}="${raw}" is not a positive whole number of milliseconds (default ${fallback}, i.e. 15 minutes)`);
  }
  return n;
}

function positiveMb(env: NodeJS.ProcessEnv, key: string, fallback: number): number {
  const raw = env[key];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${key}="${raw}" is not a positive whole number of megabytes (default ${fallback})`);
  return n;
}

function buildPlace(runtime: string | undefined): BuilderSettings['buildIn'] {
  if (runtime === 'process') return 'host';
  if (runtime === 'docker') return 'stack';
  if (runtime === undefined || runtime === '' || runtime === 'auto') return 'auto';
  throw new Error(`PAAS_RUNTIME="${runtime}" is not a runtime: set process, docker or auto, or leave it unset for auto`);
}
