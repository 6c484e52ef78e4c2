import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { CliError, usageError } from './errors.js';

/** Where the CLI finds the Platform API and how it proves who it is. */
export interface Settings {
  /** Base URL of the Platform API, without a trailing slash. */
  apiUrl: string;
  /** PAAS_API_KEY when set; else the login stored in ~/.netrc for the API's host is used. */
  apiKey: string | undefined;
  /** ~/.netrc (HOME of the user running the CLI). */
  netrcPath: string;
  /** PEM certificates to trust besides the system's: the platform CA when found. */
  extraCa: string[];
}

export const DEFAULT_API_URL = 'http://127.0.0.1:5000';

/** Reads the settings from the environment; a malformed PAAS_API_URL is a usage error. */
export function settingsFrom(env: NodeJS.ProcessEnv): Settings {
  const raw = env.PAAS_API_URL?.trim() || DEFAULT_API_URL;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw usageError(`PAAS_API_URL is not a URL (${raw}): set it like ${DEFAULT_API_URL}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw usageError(`PAAS_API_URL must start with http:// or https:// (got ${raw})`);
  return {
    apiUrl: url.href.replace(/\/+$/, ''),
    apiKey: env.PAAS_API_KEY?.trim() || undefined,
    netrcPath: join(env.HOME || homedir(), '.netrc'),
    extraCa: platformCa(env),
  };
}

/**
 * The platform CA ($PAAS_DATA_DIR/tls/ca.pem, default ./.paas-data) when it is on this machine,
 * so https:// and the rendezvous of `paas run` work without NODE_EXTRA_CA_CERTS.
 */
function platformCa(env: NodeJS.ProcessEnv): string[] {
  const path = resolve(env.PAAS_DATA_DIR || '.paas-data', 'tls', 'ca.pem');
  if (!existsSync(path)) return [];
  // Passing a CA list replaces Node's default one, which holds NODE_EXTRA_CA_CERTS: keep those too.
  const extra = env.NODE_EXTRA_CA_CERTS;
  return [readPem(path), ...(extra && existsSync(extra) ? [readPem(extra)] : [])];
}

function readPem(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new CliError(`cannot read the CA certificates at ${path}: ${(err as Error).message}`);
  }
}
