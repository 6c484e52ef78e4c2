import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import * as tar from 'tar';
import { invalid } from '@paas/contracts';

/** An app.json larger than this is not a manifest. */
const MAX_APP_JSON_BYTES = 512 * 1024;

/**
 * The text of app.json at the root of a gzipped source tarball (`app.json` or `./app.json`), or
 * undefined when it has none. A tarball that cannot be read is invalid_params.
 */
export async function appJsonOf(archive: Readable): Promise<string | undefined> {
  let text: string | undefined;
  let tooBig = false;
  const list = new tar.Parser({
    onReadEntry: (entry) => {
      if (entry.type !== 'File' || entry.path.replace(/^\.\//, '') !== 'app.json') return entry.resume();
      if (entry.size > MAX_APP_JSON_BYTES) {
        tooBig = true;
        return entry.resume();
      }
      const chunks: Buffer[] = [];
      entry.on('data', (c: Buffer) => chunks.push(c));
      entry.on('end', () => { text = Buffer.concat(chunks).toString('utf8'); });
    },
  });
  try {
    await pipeline(archive, createGunzip(), list);
  } catch (err) {
    throw invalid(`The source at source_blob.url is not a readable .tar.gz archive (${(err as Error).message}).`);
  }
  if (tooBig) throw invalid(`app.json in the source is larger than ${MAX_APP_JSON_BYTES / 1024} KiB.`);
  return text;
}
