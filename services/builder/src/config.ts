import { messagingSettingsFromEnv, type MessagingSettings } from '@paas/messaging';
import { existsSync } from 'node:fs';
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
  /**
   * The certificate bundle builds in the stack image trust besides the image's own
   * (PAAS_BUILD_CA_FILE; default the host's bundle when there is one, `none` for only the
   * image's): a host behind a TLS-inspecting proxy or with a private package registry then
   * builds in containers as it does on the host.
   */
  buildCaFile: string | null;
}

const HOST_CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';

const FIFTEEN_MINUTES = 15 * 60_000;

export function builderSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): BuilderSettings {
  return {
    messaging: messagingSettingsFromEnv(env),
    dataDir: resolve(env.PAAS_DATA_DIR || '.paas-data'),
    buildTimeoutMs: positiveMs(env, 'PAAS_BUILD_TIMEOUT_MS', FIFTEEN_MINUTES),
    maxSlugMb: positiveMb(env, 'PAAS_MAX_SLUG_MB', 500),
    buildIn: buildPlace(env.PAAS_RUNTIME),
    stackImage: env.PAAS_STACK_IMAGE || 'paas/stack:bookworm',
    buildCaFile: caFile(env.PAAS_BUILD_CA_FILE),
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

function caFile(raw: string | undefined): string | null {
  if (raw === 'none') return null;
  if (raw === undefined || raw === '') return existsSync(HOST_CA_BUNDLE) ? HOST_CA_BUNDLE : null;
  if (!existsSync(raw)) throw new Error(`PAAS_BUILD_CA_FILE="${raw}" does not exist: give a PEM bundle, or none to trust only the stack image's certificates`);
  return resolve(raw);
}

function buildPlace(runtime: string | undefined): BuilderSettings['buildIn'] {
  if (runtime === 'process') return 'host';
  if (runtime === 'docker') return 'stack';
  if (runtime === undefined || runtime === '' || runtime === 'auto') return 'auto';
  throw new Error(`PAAS_RUNTIME="${runtime}" is not a runtime: set process, docker or auto, or leave it unset for auto`);
}
