import type { BlobRef } from '@paas/contracts';
import type { FileBlobStore } from '@paas/storage';
import * as tar from 'tar';

/**
 * Unpacks a slug into a dyno directory after checking its sha256 once per manager (a slug is
 * immutable, and re-hashing it for every dyno of every restart is wasted work).
 */
export class SlugUnpacker {
  private readonly verified = new Set<string>();

  constructor(private readonly blobs: FileBlobStore) {}

  /** Unpacks into `dir`, every entry owned by `uid` (and its gid) when given. */
  async unpack(ref: BlobRef, dir: string, uid?: number): Promise<void> {
    const key = `${ref.key}@${ref.checksum}`;
    try {
      if (!this.verified.has(key)) {
        await this.blobs.verify(ref);
        this.verified.add(key);
      }
      // node-tar strips absolute paths and refuses entries that climb out of cwd.
      await tar.x({ file: this.blobs.localPath(ref), cwd: dir, preserveOwner: false, strict: true, ...(uid !== undefined ? { uid, gid: uid } : {}) });
    } catch (err) {
      throw new Error(`unpacking slug ${ref.key} into ${dir}: ${(err as Error).message}; push again to build a fresh slug`);
    }
  }
}
