import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { CliError } from './errors.js';
import { parseRemotes } from './app-resolution.js';

const run = promisify(execFile);

/** The remotes of the git repository at `cwd`; undefined outside a repository or without git. */
export async function gitRemotes(cwd = process.cwd()): Promise<Map<string, string> | undefined> {
  try {
    const { stdout } = await run('git', ['remote', '-v'], { cwd });
    return parseRemotes(stdout);
  } catch {
    return undefined;
  }
}

/** Whether `cwd` is inside a git work tree. */
export async function inGitRepo(cwd = process.cwd()): Promise<boolean> {
  try {
    const { stdout } = await run('git', ['rev-parse', '--is-inside-work-tree'], { cwd });
    return stdout.trim() === 'true';
  } catch {
    return false;
  }
}

/**
 * Points remote `name` at `url` (added, or its URL replaced), and makes `paas` the credential
 * helper for the API's URL in this repository, so `git push` sends the CLI's token.
 */
export async function setRemote(name: string, url: string, helper: string, cwd = process.cwd()): Promise<void> {
  const remotes = (await gitRemotes(cwd)) ?? new Map();
  try {
    await run('git', remotes.has(name) ? ['remote', 'set-url', name, url] : ['remote', 'add', name, url], { cwd });
    // An empty value first resets the helpers inherited from global config, so ours alone answers.
    const key = `credential.${new URL(url).origin}.helper`;
    await run('git', ['config', '--local', '--unset-all', key], { cwd }).catch(() => undefined);
    await run('git', ['config', '--local', '--add', key, ''], { cwd });
    await run('git', ['config', '--local', '--add', key, helper], { cwd });
  } catch (err) {
    throw new CliError(`adding the git remote ${name} failed: ${((err as { stderr?: string }).stderr || (err as Error).message).trim()}`);
  }
}

/** Removes a remote; best effort (it may be gone already). */
export async function removeRemote(name: string, cwd = process.cwd()): Promise<void> {
  await run('git', ['remote', 'remove', name], { cwd }).catch(() => undefined);
}
