import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { slugIgnoreMatcher } from '../domain/slugignore.js';

/** Removes what .slugignore lists from the app dir before the build; returns how many paths went. */
export async function applySlugIgnore(dir: string): Promise<number> {
  const text = await readFile(join(dir, '.slugignore'), 'utf8').catch(() => undefined);
  if (text === undefined) return 0;
  const ignored = slugIgnoreMatcher(text);
  let removed = 0;
  const walk = async (rel: string): Promise<void> => {
    for (const e of await readdir(join(dir, rel), { withFileTypes: true })) {
      const path = rel ? `${rel}/${e.name}` : e.name;
      const isDir = e.isDirectory();
      if (ignored(isDir ? `${path}/` : path)) {
        await rm(join(dir, path), { recursive: true, force: true });
        removed++;
      } else if (isDir) {
        await walk(path);
      }
    }
  };
  await walk('');
  return removed;
}
