import { messagingSettingsFromEnv, type MessagingSettings } from '@paas/messaging';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { parseAllowList, type AllowEntry } from '@paas/isolation';

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
  /** What one build container may use (PAAS_BUILD_MEMORY_MB, PAAS_BUILD_PIDS, PAAS_BUILD_CPUS); Dockerfile builds take the memory and CPUs. */
  buildLimits: BuildLimits;
  /** Internal places builds may reach through the egress proxy (PAAS_BUILD_ALLOWED_HOSTS): host:port or CIDR entries. */
  buildAllowedHosts: AllowEntry[];
  /** The egress proxy's port on the builds' network gateway (PAAS_BUILD_PROXY_PORT). */
  buildProxyPort: number;
}

/** The limits of one build container. */
export interface BuildLimits {
  readonly memoryMb: number;
  readonly pids: number;
  readonly cpus: number;
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
    buildLimits: buildLimits(env),
    buildAllowedHosts: parseAllowList(env.PAAS_BUILD_ALLOWED_HOSTS, 'PAAS_BUILD_ALLOWED_HOSTS'),
    buildProxyPort: port(env, 'PAAS_BUILD_PROXY_PORT', 3128),
  };
}

/** Heroku builds get a performance dyno's room: 2.5 GB; every core of this machine unless told fewer. */
function buildLimits(env: NodeJS.ProcessEnv): BuildLimits {
  const memoryMb = positiveMb(env, 'PAAS_BUILD_MEMORY_MB', 2560);
  if (memoryMb < 64) throw new Error(`PAAS_BUILD_MEMORY_MB="${memoryMb}" is too little for any build: give at least 64 (default 2560)`);
  const pids = positiveWhole(env, 'PAAS_BUILD_PIDS', 4096);
  if (pids < 32) throw new Error(`PAAS_BUILD_PIDS="${pids}" is too few for any build: give at least 32 (default 4096)`);
  const raw = env.PAAS_BUILD_CPUS;
  const cores = availableParallelism();
  const cpus = raw === undefined || raw === '' ? cores : Number(raw);
  if (!Number.isFinite(cpus) || cpus < 0.1 || cpus > cores) {
    throw new Error(`PAAS_BUILD_CPUS="${raw}" is not a number of CPUs between 0.1 and ${cores} (this machine's cores; the default)`);
  }
  return { memoryMb, pids, cpus };
}

function port(env: NodeJS.ProcessEnv, key: string, fallback: number): number {
  const n = positiveWhole(env, key, fallback);
  if (n > 65535) throw new Error(`${key}="${n}" is not a port number (default ${fallback})`);
  return n;
}

function positiveWhole(env: NodeJS.ProcessEnv, key: string, fallback: number, unit = ''): number {
  const raw = env[key];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${key}="${raw}" is not a positive whole number${unit} (default ${fallback})`);
  return n;
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
  return positiveWhole(env, key, fallback, ' of megabytes');
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
