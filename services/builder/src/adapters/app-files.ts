import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { BuildError } from '../domain/build-error.js';
import { FILES_READ, type AppFiles } from '../domain/detect.js';

const MAX_READ = 1024 * 1024;

/** Reads what detection needs from an unpacked tree: its root names and a few small files. */
export async function readAppFiles(dir: string): Promise<AppFiles> {
  const names = new Set(await readdir(dir));
  const files: Record<string, string | undefined> = {};
  for (const [field, name] of Object.entries(FILES_READ)) {
    files[field] = names.has(name) ? await readTreeFile(dir, name) : undefined;
  }
  return { names, ...files };
}

/**
 * A small file of a tree as pushed, before any build code ran in it: a symlinked Procfile or lock
 * file may point anywhere, so only files inside the tree are read (and shown in errors).
 */
export async function readTreeFile(dir: string, name: string): Promise<string> {
  const root = await realpath(dir);
  const real = await realpath(join(dir, name)).catch(() => undefined);
  if (!real || !real.startsWith(root + sep)) throw new BuildError(`${name} is a link that does not lead to a file in the app`);
  const s = await stat(real);
  if (!s.isFile()) throw new BuildError(`${name} is not a regular file`);
  if (s.size > MAX_READ) throw new BuildError(`${name} is ${s.size} bytes; the builder reads at most 1 MiB of it`);
  return readFile(real, 'utf8');
}
