import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { BlobRef } from '@paas/contracts';

/** Where sources and slugs are kept. Local files today; an object store implements the same. */
export interface BlobStore {
  put(key: string, body: Readable): Promise<BlobRef>;
  get(ref: BlobRef): Promise<Readable>;
  delete(key: string): Promise<void>;
}

/** Blobs as files under a directory, written atomically (temp file + rename) with their sha256. */
export class FileBlobStore implements BlobStore {
  private readonly root: string;
  constructor(root: string) {
    this.root = resolve(root);
  }

  private path(key: string): string {
    const p = resolve(this.root, key);
    if (!p.startsWith(this.root + sep)) throw new Error(`blob key "${key}" escapes the store`);
    return p;
  }

  async put(key: string, body: Readable): Promise<BlobRef> {
    const final = this.path(key);
    await mkdir(dirname(final), { recursive: true });
    const tmp = `${final}.${randomUUID()}.partial`;
    const hash = createHash('sha256');
    let size = 0;
    const meter = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        hash.update(chunk);
        size += chunk.length;
        cb(null, chunk);
      },
    });
    try {
      await pipeline(body, meter, createWriteStream(tmp));
      await rename(tmp, final);
    } catch (err) {
      await rm(tmp, { force: true });
      throw new Error(`storing blob ${key}: ${(err as Error).message}`);
    }
    return { key, checksum: `sha256:${hash.digest('hex')}`, size };
  }

  /** Opens a blob after checking its size; the checksum is verified by verify(). */
  async get(ref: BlobRef): Promise<Readable> {
    const p = this.path(ref.key);
    const s = await stat(p).catch(() => null);
    if (!s) throw new Error(`blob ${ref.key} is missing from ${this.root}`);
    if (s.size !== ref.size) throw new Error(`blob ${ref.key} is ${s.size} bytes, expected ${ref.size}: refusing a damaged blob`);
    return createReadStream(p);
  }

  /** Reads the whole blob and checks its sha256 against the ref. */
  async verify(ref: BlobRef): Promise<void> {
    const hash = createHash('sha256');
    await pipeline(await this.get(ref), hash);
    const actual = `sha256:${hash.digest('hex')}`;
    if (actual !== ref.checksum) throw new Error(`blob ${ref.key} has checksum ${actual}, expected ${ref.checksum}`);
  }

  async delete(key: string): Promise<void> {
    await rm(this.path(key), { force: true });
  }

  localPath(ref: BlobRef): string {
    return this.path(ref.key);
  }
}

/** The store under PAAS_DATA_DIR/blobs. */
export function blobStoreFor(dataDir: string): FileBlobStore {
  return new FileBlobStore(join(dataDir, 'blobs'));
}
