/** Release descriptions in Heroku's wording, as `heroku releases` shows them. */

export const INITIAL_RELEASE = 'Initial release';

/**
 * "Deploy 1a2b3c4" for a build of a commit, "Deploy" when the build had none; a deploy from a
 * linked repository names its branch: "Deploy 1a2b3c4 from main".
 */
export function deployDescription(commit: string | null, branch?: string): string {
  const deploy = commit ? `Deploy ${commit.slice(0, 7)}` : 'Deploy';
  return branch ? `${deploy} from ${branch}` : deploy;
}

/** "Set A, B config vars", "Remove A config vars", or "Set A config vars, remove B" for both. */
export function configDescription(changes: Readonly<Record<string, string | null>>): string {
  const set = Object.keys(changes).filter((k) => changes[k] !== null);
  const removed = Object.keys(changes).filter((k) => changes[k] === null);
  if (removed.length === 0) return `Set ${set.join(', ')} config vars`;
  if (set.length === 0) return `Remove ${removed.join(', ')} config vars`;
  return `Set ${set.join(', ')} config vars, remove ${removed.join(', ')}`;
}

export function rollbackDescription(version: number): string {
  return `Rollback to v${version}`;
}
