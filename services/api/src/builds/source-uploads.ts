import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat, writeFile } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { blobRef, notFound, type BlobRef } from '@paas/contracts';
import type { FileBlobStore } from '@paas/storage';

const TOKEN = /^[0-9a-f]{64}$/;

/**
 * Uploads through POST /sources: a random token names a place for one tarball; whoever holds the
 * put_url may write it, whoever holds the get_url may read it (as with presigned object-store URLs).
 */
export class SourceUploads {
  constructor(private readonly blobs: FileBlobStore) {}

  /** A new, unguessable upload token. */
  newToken(): string {
    return randomBytes(32).toString('hex');
  }

  async put(token: string, body: Readable): Promise<BlobRef> {
    const ref = await this.blobs.put(this.key(token), body);
    await writeFile(this.blobs.localPath(this.metaRef(token)), JSON.stringify(ref));
    return ref;
  }

  /** The uploaded tarball as a stream, with its size; not_found before it was put. */
  async get(token: string): Promise<{ stream: Readable; size: number }> {
    const meta = await readFile(this.blobs.localPath(this.metaRef(token)), 'utf8').catch(() => undefined);
    if (!meta) throw notFound('Nothing was uploaded to this source URL yet.');
    const ref = blobRef.parse(JSON.parse(meta));
    const path = this.blobs.localPath(ref);
    const { size } = await stat(path);
    return { stream: createReadStream(path), size };
  }

  private key(token: string): string {
    if (!TOKEN.test(token)) throw notFound('No such source URL.');
    return `uploads/${token}.tar.gz`;
  }

  private metaRef(token: string): BlobRef {
    return { key: `${this.key(token)}.json`, checksum: `sha256:${'0'.repeat(64)}`, size: 0 };
  }
}
