import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const APP_ID = /^[0-9a-f-]{36}$/i;

/**
 * Each app's build cache under `<dataDir>/cache/<appId>`: download caches the tools fill themselves
 * (pip wheels, npm, corepack) and dependency trees saved with the key they were built from
 * (a virtualenv, node_modules), restored when the next build has the same key.
 */
export class BuildCache {
  private readonly root: string;
  constructor(dataDir: string) {
    this.root = join(dataDir, 'cache');
  }

  /** A directory a tool keeps its downloads in (created if missing). */
  async toolDir(appId: string, tool: string): Promise<string> {
    const dir = join(this.dirOf(appId), 'tools', tool);
    await mkdir(dir, { recursive: true });
    return dir;
  }

  /** Copies the saved tree `name` to `target` when it was saved with `key`; false when there is none to reuse. */
  async restore(appId: string, name: string, key: string, target: string): Promise<boolean> {
    const dir = join(this.dirOf(appId), 'trees', name);
    const saved = await readFile(join(dir, 'key'), 'utf8').catch(() => undefined);
    if (saved !== key) return false;
    await rm(target, { recursive: true, force: true });
    await mkdir(dirname(target), { recursive: true });
    await run('cp', ['-a', join(dir, 'tree'), target]);
    return true;
  }

  /** Saves a copy of `source` as tree `name` with its key, replacing the previous one whole. */
  async save(appId: string, name: string, key: string, source: string): Promise<void> {
    if (!(await stat(source).catch(() => undefined))?.isDirectory()) return;
    const trees = join(this.dirOf(appId), 'trees');
    const fresh = join(trees, `${name}.${randomUUID()}.partial`);
    await mkdir(fresh, { recursive: true });
    try {
      await run('cp', ['-a', source, join(fresh, 'tree')]);
      await writeFile(join(fresh, 'key'), key);
      const old = join(trees, `${name}.${randomUUID()}.old`);
      await rename(join(trees, name), old).catch(() => undefined);
      await rename(fresh, join(trees, name));
      await rm(old, { recursive: true, force: true });
    } catch (err) {
      await rm(fresh, { recursive: true, force: true });
      throw new Error(`saving ${name} in the build cache: ${(err as Error).message}`);
    }
  }

  /** The app's cache directory (created if missing), to mount into a build container. */
  async appDir(appId: string): Promise<string> {
    const dir = this.dirOf(appId);
    await mkdir(dir, { recursive: true });
    return dir;
  }

  /** Empties the app's cache; true when there was one. */
  async purge(appId: string): Promise<boolean> {
    const dir = this.dirOf(appId);
    const existed = Boolean(await stat(dir).catch(() => undefined));
    // Renamed first so a build running meanwhile never sees half a cache.
    const doomed = `${dir}.${randomUUID()}.purged`;
    if (existed) {
      await rename(dir, doomed);
      await rm(doomed, { recursive: true, force: true });
    }
    return existed;
  }

  private dirOf(appId: string): string {
    if (!APP_ID.test(appId)) throw new Error(`"${appId}" is not an app id`);
    return join(this.root, appId);
  }
}
