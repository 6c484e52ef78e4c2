import { positiveIntFromEnv } from '@paas/messaging';

/** How the api runs app setups (read with the api's other settings, validated at boot). */
export interface AppSetupSettings {
  /**
   * A pending setup nobody worked on for this long was left by an api that stopped mid-way: it is
   * marked failed and its app destroyed (PAAS_APP_SETUP_STALE_MS). The api running a setup marks it
   * alive four times as often.
   */
  staleMs: number;
  /** Longest a setup's postdeploy script may run before the setup fails (PAAS_APP_SETUP_POSTDEPLOY_TIMEOUT_MS). */
  postdeployTimeoutMs: number;
}

export function appSetupSettingsFromEnv(env: NodeJS.ProcessEnv): AppSetupSettings {
  return {
    staleMs: positiveIntFromEnv(env, 'PAAS_APP_SETUP_STALE_MS', 120_000),
    postdeployTimeoutMs: positiveIntFromEnv(env, 'PAAS_APP_SETUP_POSTDEPLOY_TIMEOUT_MS', 900_000),
  };
}
