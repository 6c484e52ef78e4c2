import { Netrc } from 'netrc-parser';
import { CliError } from './errors.js';
import type { Settings } from './settings.js';

/** The API's host as the key of its ~/.netrc entry (netrc has no ports, as with the Heroku CLI). */
export function netrcHost(apiUrl: string): string {
  return new URL(apiUrl).hostname;
}

/** The token to send: PAAS_API_KEY first, else the login ~/.netrc holds for the API's host. */
export function tokenFor(settings: Settings): string {
  if (settings.apiKey) return settings.apiKey;
  const stored = readLogin(settings)?.password;
  if (stored) return stored;
  throw new CliError(`not logged in to ${settings.apiUrl}: run \`paas login\` or set PAAS_API_KEY`);
}

/** The login stored for the API's host, if any. */
export function readLogin(settings: Settings): { login?: string; password?: string } | undefined {
  const netrc = load(settings.netrcPath);
  return netrc.machines[netrcHost(settings.apiUrl)];
}

/** Stores a login for the API's host in ~/.netrc (mode 0600), replacing an older one. */
export function storeLogin(settings: Settings, email: string, token: string): void {
  const netrc = load(settings.netrcPath);
  netrc.machines[netrcHost(settings.apiUrl)] = { login: email, password: token };
  save(netrc);
}

/** Forgets the API host's login; says whether there was one. */
export function removeLogin(settings: Settings): boolean {
  const netrc = load(settings.netrcPath);
  const host = netrcHost(settings.apiUrl);
  if (!netrc.machines[host]) return false;
  delete netrc.machines[host];
  save(netrc);
  return true;
}

function load(path: string): Netrc {
  const netrc = new Netrc(path);
  try {
    netrc.loadSync();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new CliError(`cannot read ${path}: ${(err as Error).message}`);
  }
  return netrc;
}

function save(netrc: Netrc): void {
  try {
    netrc.saveSync();
  } catch (err) {
    throw new CliError(`cannot write ${netrc.file}: ${(err as Error).message}`);
  }
}
