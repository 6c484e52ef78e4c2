import { messagingSettingsFromEnv, type MessagingSettings } from '@paas/messaging';
import { resolve } from 'node:path';
import { parseTlsHostnames } from './domain/tls-names.js';
import { drainSettingsFromEnv, type DrainSettings } from './logs/drains/drain-settings.js';
import { appSetupSettingsFromEnv, type AppSetupSettings } from './app-setups/app-setup-settings.js';
import { addressSettingsFromEnv, type AddressSettings } from './net/address-settings.js';
import { repoSettingsFromEnv, type RepoSettings } from './repo-links/repo-settings.js';

/** Everything the api service reads from its environment, validated at boot. */
export interface ApiSettings {
  messaging: MessagingSettings;
  /** Repos, blobs and the generated API key (PAAS_DATA_DIR). */
  dataDir: string;
  host: string;
  /** Platform API and git over HTTP (PAAS_API_PORT); 0 picks a free port (tests). */
  port: number;
  /** Platform API and git over HTTPS (PAAS_API_TLS_PORT, default 5443) on the same host; 0 picks a free port. */
  tlsPort: number;
  /** Names and IPs the server certificate is made for (PAAS_TLS_HOSTNAMES, default 127.0.0.1,localhost). */
  tlsHostnames: string[];
  /** The gRPC API (PAAS_GRPC_PORT, default 5001) on the same host; 0 picks a free port (tests). */
  grpcPort: number;
  /** The rendezvous listener of `heroku run` (PAAS_RENDEZVOUS_PORT, default 5002) on the same host, TLS; 0 picks a free port. */
  rendezvousPort: number;
  /** How long an attach_url stays valid; an attached dyno nobody connected to by then is dropped (PAAS_RENDEZVOUS_TIMEOUT_MS, default 60000). */
  rendezvousTimeoutMs: number;
  /** PAAS_API_KEY; when unset a key is generated once and kept in the data dir. */
  apiKey: string | undefined;
  /** The single account's email, shown as owner and release author (PAAS_ADMIN_EMAIL). */
  adminEmail: string;
  /** Used to build web_url: http://<app>.<domain>[:<routerPort>]/ */
  domain: string;
  routerPort: number;
  /** Base of git_url (PAAS_PUBLIC_API_URL), default http://<host>:<port>. */
  publicUrl: string | undefined;
  /** How long a push waits for the new web dynos to be up before it ends (PAAS_PUSH_VERIFY_TIMEOUT_MS). */
  pushVerifyTimeoutMs: number;
  /** Delivery to log drains (PAAS_DRAIN_*). */
  drains: DrainSettings;
  /** App setups (PAAS_APP_SETUP_*). */
  appSetups: AppSetupSettings;
  /** Repository links (PAAS_REPO_*). */
  repos: RepoSettings;
  /** Where the api may connect for users (repositories, sources, drains): the address guard's allow-lists. */
  addresses: AddressSettings;
  /** The container registry the api runs on the same host (PAAS_REGISTRY_PORT, default 5003); 0 picks a free port. */
  registryPort: number;
  /** The Docker distribution registry binary (PAAS_REGISTRY_BIN, default /usr/bin/docker-registry). */
  registryBinary: string;
}

function port(env: NodeJS.ProcessEnv, key: string, fallback: number): number {
  const raw = env[key];
  const n = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`${key}="${raw}" is not a TCP port (0-65535)`);
  return n;
}

export function apiSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): ApiSettings {
  const verify = Number(env.PAAS_PUSH_VERIFY_TIMEOUT_MS || 60_000);
  if (!Number.isInteger(verify) || verify < 0) throw new Error(`PAAS_PUSH_VERIFY_TIMEOUT_MS="${env.PAAS_PUSH_VERIFY_TIMEOUT_MS}" is not a number of milliseconds`);
  const rendezvousTimeout = Number(env.PAAS_RENDEZVOUS_TIMEOUT_MS || 60_000);
  if (!Number.isInteger(rendezvousTimeout) || rendezvousTimeout <= 0) {
    throw new Error(`PAAS_RENDEZVOUS_TIMEOUT_MS="${env.PAAS_RENDEZVOUS_TIMEOUT_MS}" is not a positive number of milliseconds`);
  }
  return {
    messaging: messagingSettingsFromEnv(env),
    dataDir: resolve(env.PAAS_DATA_DIR || '.paas-data'),
    host: env.PAAS_API_HOST || '127.0.0.1',
    port: port(env, 'PAAS_API_PORT', 5000),
    tlsPort: port(env, 'PAAS_API_TLS_PORT', 5443),
    tlsHostnames: parseTlsHostnames(env.PAAS_TLS_HOSTNAMES || '127.0.0.1,localhost'),
    grpcPort: port(env, 'PAAS_GRPC_PORT', 5001),
    rendezvousPort: port(env, 'PAAS_RENDEZVOUS_PORT', 5002),
    rendezvousTimeoutMs: rendezvousTimeout,
    apiKey: env.PAAS_API_KEY || undefined,
    adminEmail: env.PAAS_ADMIN_EMAIL || 'admin@paas.local',
    domain: env.PAAS_DOMAIN || 'localhost',
    routerPort: port(env, 'PAAS_ROUTER_PORT', 8080),
    publicUrl: env.PAAS_PUBLIC_API_URL || undefined,
    pushVerifyTimeoutMs: verify,
    drains: drainSettingsFromEnv(env),
    appSetups: appSetupSettingsFromEnv(env),
    repos: repoSettingsFromEnv(env),
    addresses: addressSettingsFromEnv(env),
    registryPort: port(env, 'PAAS_REGISTRY_PORT', 5003),
    registryBinary: env.PAAS_REGISTRY_BIN || '/usr/bin/docker-registry',
  };
}
