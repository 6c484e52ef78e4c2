import { usageError, type CliError } from './errors.js';

/** The git remote `paas apps:create` and `paas git:remote` add, and where the app is looked up. */
export const DEFAULT_REMOTE = 'paas';

/** Remote name -> fetch URL, from the output of `git remote -v`. */
export function parseRemotes(gitRemoteV: string): Map<string, string> {
  const remotes = new Map<string, string>();
  for (const line of gitRemoteV.split('\n')) {
    const m = /^(\S+)\s+(\S+)\s+\((fetch|push)\)\s*$/.exec(line.trim());
    if (m && (m[3] === 'fetch' || !remotes.has(m[1]))) remotes.set(m[1], m[2]);
  }
  return remotes;
}

/** The app a Platform API git URL names (`https://host[:port]/<app>.git`), or undefined when it names none. */
export function appFromGitUrl(url: string): string | undefined {
  let path: string;
  try {
    path = new URL(url).pathname;
  } catch {
    return undefined;
  }
  const m = /^\/([a-z][a-z0-9-]*)\.git\/?$/.exec(path);
  return m?.[1];
}

/** What the app may come from: the -a flag, the -r flag, and the current repository's remotes (absent outside one). */
export interface AppSources {
  flag?: string;
  remote?: string;
  remotes?: Map<string, string>;
}

/**
 * The app a command acts on: -a/--app wins; else the app of the `paas` remote (or the one -r
 * names) of the current git repository. Otherwise a usage error that says how to pass it.
 */
export function resolveApp(s: AppSources): string {
  if (s.flag !== undefined) {
    const name = s.flag.trim();
    if (!name) throw usageError('-a/--app needs an app name, e.g. -a myapp');
    return name;
  }
  const remoteName = s.remote ?? DEFAULT_REMOTE;
  const url = s.remotes?.get(remoteName);
  if (url === undefined) throw missingApp(s, remoteName);
  const app = appFromGitUrl(url);
  if (!app) throw usageError(`the git remote ${remoteName} (${url}) does not name an app: pass -a APP`);
  return app;
}

function missingApp(s: AppSources, remoteName: string): CliError {
  if (s.remote !== undefined) return usageError(`this git repository has no remote named ${remoteName}: pass -a APP, or add it with \`paas git:remote -a APP -r ${remoteName}\``);
  const where = s.remotes ? `this git repository has no \`${DEFAULT_REMOTE}\` remote` : 'not inside a git repository with a `paas` remote';
  return usageError(`no app given and ${where}: pass -a APP (e.g. \`paas ps -a myapp\`), or run \`paas git:remote -a APP\` in the repository`);
}
