import { z } from 'zod';
import { boundedUrl, MAX_URL } from './urls.js';

/**
 * Repository links (GitHub-style integration): an app connected to a git repository served over
 * http(s) and one of its branches. The rules of a repo URL and a branch name live here so the api
 * (which fetches) and the release service (which records links) agree on them.
 */


/** A repository URL as recorded (checked with repoUrlProblem first); it may carry user:token. */
export const repoUrl = z.string().min(1).max(MAX_URL);
/** A branch name as recorded (checked with branchNameProblem first). */
export const branchName = z.string().min(1).max(255);
/** A full commit id, as git prints it. */
export const commitSha = z.string().regex(/^[0-9a-f]{40}$/);

/** What to tell a user whose repo_url is refused. */
export const ACCEPTED_REPO_URLS = 'send the http(s) URL a `git clone` takes, e.g. https://git.example.com/team/app.git (https://user:token@... for a private one)';

/** Why a URL cannot be linked, or null when it can; never repeats the URL (it may hold a token). */
export function repoUrlProblem(raw: string): string | null {
  const url = boundedUrl(raw);
  if (typeof url === 'string') return url;
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `its scheme is ${url.protocol.slice(0, -1)}, only http and https are fetched`;
  if (!url.hostname) return 'it has no host';
  if (url.hash) return 'it has a #fragment, which git does not take';
  return null;
}

/**
 * Why a name cannot be a branch, or null when it can: git's check-ref-format rules for a branch
 * (no `..`, `@{`, control characters, spaces, `~^:?*[\`, no leading `-` or `/`, no `.lock` end).
 */
export function branchNameProblem(name: string): string | null {
  if (name.length === 0) return 'it is empty';
  if (name.length > 255) return 'it is longer than 255 characters';
  if (name.startsWith('refs/')) return 'give the branch name alone (main, not refs/heads/main)';
  if (/[\x00-\x20\x7f~^:?*[\\]/.test(name)) return 'it holds a space, a control character or one of ~ ^ : ? * [ \\';
  if (name.includes('..') || name.includes('@{') || name.includes('//') || name === '@') return 'it holds "..", "@{" or "//"';
  if (name.startsWith('-') || name.startsWith('/') || name.endsWith('/') || name.endsWith('.') || name.endsWith('.lock')) {
    return 'it starts with "-" or "/", or ends with "/", "." or ".lock"';
  }
  if (name.split('/').some((part) => part.startsWith('.'))) return 'a part of it starts with "."';
  return null;
}

/** The URL with its password (or lone token) replaced by `*****`, for showing and logging. */
export function maskRepoUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return '(not a URL)';
  }
  if (url.password) url.password = '*****';
  else if (url.username) url.username = '*****';
  return url.toString();
}
