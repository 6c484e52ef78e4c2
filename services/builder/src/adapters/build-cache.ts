import { randomUUID } from 'node:crypto';
import { lstat, mkdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Sandbox } from '../buildpacks/context.js';

const APP_ID = /^[0-9a-f-]{36}$/i;
/** The package tools whose download caches builds keep. */
const TOOLS = ['npm', 'yarn', 'pnpm-store', 'corepack', 'pip'];

/**
 * Each app's build cache under `<dataDir>/cache/<appId>`: download caches the tools fill themselves
 * (pip wheels, npm, corepack) and dependency trees saved with the key they were built from
 * (a virtualenv, node_modules), restored when the next build has the same key. The builder only
 * makes, lists and removes whole app caches; what is inside is the build's, read and written by
 * the build's own commands (AppCache).
 */
export class BuildCache {
  private readonly root: string;
  constructor(dataDir: string) {
    this.root = join(dataDir, 'cache');
  }

  /**
   * The app's cache directory (created if missing), to mount into a build container. A new one
   * gets the tools' directories from here at once: nothing of a build has been in it yet.
   */
  async appDir(appId: string): Promise<string> {
    const dir = this.dirOf(appId);
    await mkdir(this.root, { recursive: true });
    const made = await mkdir(dir).then(() => true, (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EEXIST') throw err;
      return false;
    });
    if (made) for (const tool of TOOLS) await mkdir(join(dir, 'tools', tool), { recursive: true });
    return dir;
  }

  /** One build's view of its app's cache, worked on by commands in the build's sandbox; `warn` tells the pusher what went wrong with it. */
  async forBuild(appId: string, sandbox: Sandbox, signal: AbortSignal, warn: (line: string) => void): Promise<AppCache> {
    return new AppCache(await this.appDir(appId), sandbox, signal, warn);
  }

  /** Empties the app's cache; true when there was one. */
  async purge(appId: string): Promise<boolean> {
    const dir = this.dirOf(appId);
    const existed = Boolean(await stat(dir).catch(() => undefined));
    // Renamed first so a build running meanwhile never sees half a cache (rename and rm never follow links).
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

/** Restores `tree` of `$1` (the saved dir) into `$3` when its key is `$2`; says "restored" when it did. */
const RESTORE = '[ -f "$1/key" ] && [ -d "$1/tree" ] && [ "$(cat "$1/key")" = "$2" ] || exit 0; rm -rf "$3" && mkdir -p "$(dirname "$3")" && cp -a "$1/tree" "$3" && echo restored';
/** Saves `$1` as tree `$3` under `$2` with key `$4`, replacing the old one whole; `$5` is unique to this save. */
const SAVE = [
  '[ -d "$1" ] || exit 0',
  'fresh="$2/$3.$5.partial"; old="$2/$3.$5.old"',
  'mkdir -p "$fresh" && cp -a "$1" "$fresh/tree" && printf %s "$4" > "$fresh/key" || { rm -rf "$fresh"; exit 1; }',
  'if [ -e "$2/$3" ] || [ -L "$2/$3" ]; then mv "$2/$3" "$old"; fi',
  'mv "$fresh" "$2/$3" && rm -rf "$old"',
].join('\n');

/**
 * A build's app cache. Every file operation runs as a command in the build's own sandbox, with
 * the build's rights and view: a link that build code planted in its cache (`ln -s / cache/x`)
 * leads nowhere but into what the build could touch anyway.
 */
export class AppCache {
  private readonly made = new Set<string>();

  constructor(private readonly dir: string, private readonly sandbox: Sandbox, private readonly signal: AbortSignal, private readonly warn: (line: string) => void) {}

  /**
   * A directory a tool keeps its downloads in (created if missing), as the build's commands see
   * it. The first call makes every usual tool's directory in one command, not one each.
   */
  async toolDir(tool: string): Promise<string> {
    // A real directory there already (looked at without following anything) needs no command.
    if (!this.made.has(tool) && (await lstat(join(this.dir, 'tools', tool)).catch(() => undefined))?.isDirectory()) this.made.add(tool);
    if (!this.made.has(tool)) {
      const tools = [...new Set([tool, ...TOOLS])].filter((t) => !this.made.has(t));
      await this.shell('mkdir -p "$@"', tools.map((t) => this.sandbox.at(join(this.dir, 'tools', t))));
      for (const t of tools) this.made.add(t);
    }
    return this.sandbox.at(join(this.dir, 'tools', tool));
  }

  /** Copies the saved tree `name` to `target` (a host path) when it was saved with `key`; false when there is none to reuse. */
  async restore(name: string, key: string, target: string): Promise<boolean> {
    const lines = await this.shell(RESTORE, [this.sandbox.at(join(this.dir, 'trees', name)), key, this.sandbox.at(target)]);
    return lines.includes('restored');
  }

  /**
   * Saves a copy of `source` (a host path) as tree `name` with its key, replacing the previous one
   * whole. A cache that cannot take it (build code broke it) costs the next build time, not this
   * build: the pusher is told, and the build goes on.
   */
  async save(name: string, key: string, source: string): Promise<void> {
    await this.shell(SAVE, [this.sandbox.at(source), this.sandbox.at(join(this.dir, 'trees')), name, key, randomUUID()]).catch((err: Error) => {
      if (this.signal.aborted) throw err;
      this.warn(`Warning: ${name} could not be saved in the build cache (${err.message}); the next build installs it again. Purge the cache with: paas builds:cache:purge`);
    });
  }

  private async shell(script: string, args: readonly string[]): Promise<string[]> {
    const lines: string[] = [];
    await this.sandbox.run(['sh', '-c', script, 'sh', ...args], { cwd: this.dir, env: { PATH: this.sandbox.path() }, signal: this.signal, onLine: (l) => lines.push(l) });
    return lines;
  }
}
