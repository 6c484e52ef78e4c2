import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import type { BlobRef } from '@paas/contracts';
import type { FileBlobStore } from '@paas/storage';
import type { CheckedAddress } from '../net/address-guard.js';

/** What to fetch: the link's URL (credentials allowed), a branch, and the commit expected there (null: its head). */
export interface FetchRequest {
  readonly repoUrl: string;
  readonly branch: string;
  readonly commit: string | null;
  readonly checked: CheckedAddress;
  /** Blob key of the source tarball. */
  readonly key: string;
  readonly timeoutMs: number;
  readonly maxBytes: number;
  readonly signal: AbortSignal;
}

/** A fetch that failed for a reason worth telling the user (never holding the URL's credentials). */
export class FetchError extends Error {}

const PRLIMIT = ['/usr/bin/prlimit', '/bin/prlimit'].find((p) => {
  try {
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
});

/**
 * Fetches exactly one commit of a linked repository into a throwaway bare repository and stores
 * its tree as a source tarball (git archive), as a git push would have sent it. git runs with the
 * checked address pinned (no second DNS answer), no redirects, no credential prompts or helpers,
 * http(s) only, within a time limit, and with its files limited in size.
 */
export async function fetchCommit(blobs: FileBlobStore, tmpRoot: string, r: FetchRequest): Promise<{ commit: string; source: BlobRef }> {
  await mkdir(tmpRoot, { recursive: true });
  const dir = await mkdtemp(join(tmpRoot, 'repo-fetch-'));
  const signal = AbortSignal.any([r.signal, AbortSignal.timeout(r.timeoutMs)]);
  const { url, secrets, env } = gitAccess(r.repoUrl, dir);
  const git = (args: string[]) => runGit(dir, [...configArgs(r.checked), ...args], env, signal, secrets);
  /** A fetch, its pack file limited in size (the whole transfer: fetch.unpackLimit=1 keeps it one pack). */
  const fetchObjects = (what: string) => runGit(dir, [...configArgs(r.checked), 'fetch', '--depth=1', '--no-tags', '--quiet', url, what], env, signal, secrets, r.maxBytes)
    .catch(async (err: Error) => { throw await packTooLarge(dir, r.maxBytes) ? new Error(`the repository sent more than ${mb(r.maxBytes)} MB (PAAS_REPO_MAX_MB)`) : err; });
  try {
    await git(['init', '--bare', '--quiet', '.']);
    await fetchObjects(`refs/heads/${r.branch}`)
      .catch((err: Error) => { throw new FetchError(`could not fetch branch ${r.branch}: ${err.message}`); });
    const head = (await git(['rev-parse', '--verify', 'FETCH_HEAD^{commit}'])).stdout.trim();
    if (r.commit && head !== r.commit) {
      // The branch moved on since the push: fetch the pushed commit itself.
      await fetchObjects(r.commit)
        .catch((err: Error) => { throw new FetchError(`commit ${r.commit} is no longer the head of ${r.branch} and the repository does not serve it by id: ${err.message}`); });
      await git(['cat-file', '-e', `${r.commit}^{commit}`]).catch(() => { throw new FetchError(`the repository did not send commit ${r.commit}`); });
    }
    const commit = r.commit ?? head;
    return { commit, source: await archiveInto(blobs, r.key, { dir, env, signal, commit, maxBytes: r.maxBytes }) };
  } catch (err) {
    if (signal.aborted) throw new FetchError(r.signal.aborted ? 'the platform is stopping' : timeoutWords(r.timeoutMs));
    throw err;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Stores `git archive` of the commit (tar.gz, as a push sends it) under `key`, at most maxBytes. */
async function archiveInto(blobs: FileBlobStore, key: string, o: { dir: string; env: NodeJS.ProcessEnv; signal: AbortSignal; commit: string; maxBytes: number }): Promise<BlobRef> {
  const archive = spawn('git', ['archive', '--format=tar.gz', o.commit], { cwd: o.dir, env: o.env, signal: o.signal, stdio: ['ignore', 'pipe', 'ignore'] });
  const exited = new Promise<number | null>((resolve) => archive.on('close', (code) => resolve(code)));
  archive.on('error', () => undefined);
  const source = await blobs.put(key, archive.stdout.pipe(sizeLimit(o.maxBytes))).catch(async (err: Error) => {
    archive.kill('SIGKILL');
    await exited;
    throw new FetchError(`archiving ${o.commit.slice(0, 7)}: ${err.message.replace(/^storing blob \S+: /, '')}`);
  });
  if (await exited !== 0) {
    await blobs.delete(key);
    throw new FetchError(`git archive of ${o.commit.slice(0, 7)} failed`);
  }
  return source;
}

/** The URL without credentials, and an environment that hands them to git as a header instead (never in argv). */
function gitAccess(repoUrl: string, home: string): { url: string; secrets: string[]; env: NodeJS.ProcessEnv } {
  const u = new URL(repoUrl);
  const user = decodeURIComponent(u.username);
  const password = decodeURIComponent(u.password);
  u.username = '';
  u.password = '';
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH, HOME: home, LANG: 'C', GIT_TERMINAL_PROMPT: '0', GIT_ASKPASS: '/bin/false', SSH_ASKPASS: '/bin/false',
    GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null',
  };
  for (const k of ['http_proxy', 'https_proxy', 'no_proxy', 'HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY']) if (process.env[k]) env[k] = process.env[k];
  const secrets = [user, password].filter((s) => s.length >= 3);
  if (user || password) {
    const basic = Buffer.from(`${user}:${password}`).toString('base64');
    secrets.push(basic);
    Object.assign(env, { GIT_CONFIG_COUNT: '1', GIT_CONFIG_KEY_0: 'http.extraHeader', GIT_CONFIG_VALUE_0: `Authorization: Basic ${basic}` });
  }
  return { url: u.toString(), secrets, env };
}

function configArgs(checked: CheckedAddress): string[] {
  const cfg = [
    'http.followRedirects=false', 'credential.helper=', 'protocol.allow=never', 'protocol.http.allow=always', 'protocol.https.allow=always',
    'http.lowSpeedLimit=1000', 'http.lowSpeedTime=30', 'core.hooksPath=/dev/null', 'fetch.unpackLimit=1', 'transfer.unpackLimit=1',
    ...(checked.resolve ? [`http.curloptResolve=${checked.resolve}`] : []),
  ];
  return cfg.flatMap((c) => ['-c', c]);
}

/** Runs git; rejects with the end of its error output (credentials masked) when it fails. */
function runGit(cwd: string, args: string[], env: NodeJS.ProcessEnv, signal: AbortSignal, secrets: string[], maxFileBytes?: number): Promise<{ stdout: string }> {
  const [cmd, argv] = maxFileBytes && PRLIMIT ? [PRLIMIT, [`--fsize=${maxFileBytes}`, '--', 'git', ...args]] : ['git', args];
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, argv, { cwd, env, signal, killSignal: 'SIGKILL', stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { if (stdout.length < 100_000) stdout += d; });
    child.stderr.on('data', (d) => { if (stderr.length < 100_000) stderr += d; });
    child.on('error', (err) => reject(new Error(err.name === 'AbortError' ? 'stopped' : err.message)));
    child.on('close', (code, sig) => {
      if (code === 0) return resolve({ stdout });
      reject(new Error(masked(lastLines(stderr) || `git exited with ${sig ?? `status ${code}`}`, secrets)));
    });
  });
}

function sizeLimit(max: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      seen += chunk.length;
      if (seen > max) return cb(new Error(`the source is larger than ${mb(max)} MB (PAAS_REPO_MAX_MB)`));
      cb(null, chunk);
    },
  });
}

/** Whether a failed fetch stopped at the file size limit (git reports it only as a failed index-pack). */
async function packTooLarge(dir: string, max: number): Promise<boolean> {
  const packs = join(dir, 'objects', 'pack');
  const files = await readdir(packs).catch(() => [] as string[]);
  const sizes = await Promise.all(files.map((f) => stat(join(packs, f)).then((s) => s.size, () => 0)));
  return sizes.some((size) => size >= max);
}

function mb(bytes: number): number {
  return Math.round(bytes / (1024 * 1024));
}

function lastLines(text: string): string {
  return text.trim().split('\n').map((l) => l.trim()).filter(Boolean).slice(-3).join(' / ').slice(0, 500);
}

function masked(text: string, secrets: string[]): string {
  return secrets.reduce((t, s) => t.split(s).join('*****'), text);
}

function timeoutWords(ms: number): string {
  return `fetching took longer than ${Math.round(ms / 1000)} s (PAAS_REPO_FETCH_TIMEOUT_MS)`;
}

