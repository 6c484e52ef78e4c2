import { ACCEPTED_REPO_URLS, branchNameProblem, invalid, notFound, repoUrlProblem } from '@paas/contracts';
import type { AppEvent, AppState } from './app-state.js';

/** The app's repository link as the aggregate remembers it. */
export interface RepoLinkRecord {
  readonly repoUrl: string;
  readonly branch: string;
  readonly autoDeploy: boolean;
  readonly hasSecret: boolean;
}

/** Builds of repository deploys not released yet: their release names the branch. Bounded. */
export const PENDING_REPO_DEPLOYS = 50;

export interface LinkRepoCommand {
  readonly type: 'LinkRepo';
  readonly repoUrl: string;
  readonly branch: string;
  readonly autoDeploy: boolean;
  readonly secret: string | null;
  readonly by: string;
}

export interface RecordRepoDeployCommand {
  readonly type: 'RecordRepoDeploy';
  readonly buildId: string;
  readonly branch: string;
  readonly commit: string;
  readonly trigger: 'webhook' | 'manual';
  readonly by: string;
}

/** Links (or re-links) the app to a repository branch; url and secret are never repeated in an error. */
export function linkRepo(c: LinkRepoCommand, state: AppState): AppEvent[] {
  const url = c.repoUrl.trim();
  const urlProblem = repoUrlProblem(url);
  if (urlProblem) throw invalid(`repo_url is invalid: ${urlProblem}; ${ACCEPTED_REPO_URLS}.`);
  const branchProblem = branchNameProblem(c.branch);
  if (branchProblem) throw invalid(`branch "${c.branch.slice(0, 100)}" is not a branch name: ${branchProblem}.`);
  if (c.secret !== null && (c.secret.length === 0 || c.secret.length > 256)) throw invalid('secret must be 1 to 256 characters long (the webhook secret you also give the repository host).');
  return [{ type: 'RepoLinked', data: { appName: state.name, repoUrl: url, branch: c.branch, autoDeploy: c.autoDeploy, secret: c.secret, by: c.by } }];
}

/** Removes the app's link; not_found when it has none. */
export function unlinkRepo(by: string, state: AppState): AppEvent[] {
  if (!state.repoLink) throw notFound('This app is not linked to a repository.');
  return [{ type: 'RepoUnlinked', data: { appName: state.name, by } }];
}

/** Records a repository deploy about to be built; a repeated build id records nothing. */
export function recordRepoDeploy(c: RecordRepoDeployCommand, state: AppState): AppEvent[] {
  if (!state.repoLink) throw notFound('This app is not linked to a repository.');
  if (c.buildId in state.repoDeploys || state.releasedBuilds.includes(c.buildId)) return [];
  return [{ type: 'RepoDeployRequested', data: { appName: state.name, buildId: c.buildId, branch: c.branch, commit: c.commit, trigger: c.trigger, by: c.by } }];
}

/** The pending repository deploys after one more, the oldest dropped past the bound. */
export function withRepoDeploy(pending: Readonly<Record<string, string>>, buildId: string, branch: string): Record<string, string> {
  const entries = [...Object.entries(pending), [buildId, branch] as [string, string]];
  return Object.fromEntries(entries.slice(-PENDING_REPO_DEPLOYS));
}
