import { chmod, lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';

/** The data dir's entries an app's own user must pass through (each holds per-app dirs of that user's alone). */
const TRAVERSED = new Set(['dynos', 'tmp', 'cache']);

/**
 * Closes the data dir to apps' users (process runtime): they may pass through it (0711) into the
 * few entries that hold their own directories, while every other entry (blobs with every slug, the
 * keys, repositories, the registry) loses its group and other bits. Run before tenant code starts,
 * so whatever another service created since is closed too.
 */
export async function closeDataDir(dataDir: string): Promise<void> {
  await chmod(dataDir, 0o711);
  for (const name of await readdir(dataDir)) {
    const path = join(dataDir, name);
    const s = await lstat(path).catch(() => undefined);
    if (!s || s.isSymbolicLink()) continue;
    const mode = TRAVERSED.has(name) && s.isDirectory() ? 0o711 : s.mode & 0o700;
    if ((s.mode & 0o777) !== mode) await chmod(path, mode);
  }
}
