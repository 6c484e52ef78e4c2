/** Repository links: how long a fetch may take, how much it may bring (where from: AddressSettings). */
export interface RepoSettings {
  /** PAAS_REPO_FETCH_TIMEOUT_MS: one fetch and archive of a commit, at most (default 120000). */
  fetchTimeoutMs: number;
  /** PAAS_REPO_MAX_MB: largest fetched pack and source tarball (default 500). */
  maxMb: number;
}

function positive(env: NodeJS.ProcessEnv, key: string, fallback: number): number {
  const raw = env[key];
  const n = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${key}="${raw}" is not a positive whole number`);
  return n;
}

export function repoSettingsFromEnv(env: NodeJS.ProcessEnv): RepoSettings {
  return {
    fetchTimeoutMs: positive(env, 'PAAS_REPO_FETCH_TIMEOUT_MS', 120_000),
    maxMb: positive(env, 'PAAS_REPO_MAX_MB', 500),
  };
}
