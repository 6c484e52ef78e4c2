import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import * as tar from 'tar';
import { escapeOf } from '../domain/archive-paths.js';
import { BuildError } from '../domain/build-error.js';

/**
 * Unpacks a gzipped source tarball into `dir`. Any entry that would land (or point) outside `dir`
 * fails the build instead of being skipped, so a hostile push is refused, not half-built.
 */
export async function unpackSource(archive: Readable, dir: string): Promise<void> {
  const refused: string[] = [];
  const extract = tar.x({
    cwd: dir,
    gzip: false,
    preserveOwner: false,
    strict: true,
    filter: (path, entry) => {
      const why = 'type' in entry ? escapeOf(path, entry.type, entry.linkpath) : undefined;
      if (why) refused.push(why);
      return !why;
    },
  });
  try {
    await pipeline(archive, createGunzip(), extract);
  } catch (err) {
    if (refused.length) throw refusal(refused);
    throw new BuildError(`The pushed source is not a readable tar.gz archive (${(err as Error).message}); push again`);
  }
  if (refused.length) throw refusal(refused);
}

function refusal(refused: string[]): BuildError {
  return new BuildError('The pushed tree has entries outside the app directory; refusing to build it', refused.slice(0, 5));
}

/** The slug: the built app dir as a gzipped tarball stream, paths relative to the app dir. */
export function packSlug(dir: string): Readable {
  const pack = tar.c({ gzip: true, cwd: dir, portable: true, follow: false }, ['.']);
  return Readable.from(pack, { objectMode: false });
}
