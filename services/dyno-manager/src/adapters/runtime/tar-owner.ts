import { Transform, type TransformCallback } from 'node:stream';

const BLOCK = 512;

/**
 * Rewrites the owner of every entry of an (uncompressed) tar stream to uid:gid, streaming, block
 * by block: each header gets the new uid, gid, user and group names and its checksum again; data
 * blocks pass as they are. Slugs are packed portable (no pax uid/gid records) so the header is all.
 */
export class TarOwner extends Transform {
  private pending: Buffer = Buffer.alloc(0);
  /** Data blocks left of the current entry. */
  private dataBlocks = 0;

  constructor(private readonly uid: number, private readonly gid: number, private readonly name: string) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    const whole = this.pending.length - (this.pending.length % BLOCK);
    const out = Buffer.from(this.pending.subarray(0, whole));
    this.pending = this.pending.subarray(whole);
    for (let at = 0; at < out.length; at += BLOCK) {
      if (this.dataBlocks > 0) {
        this.dataBlocks--;
        continue;
      }
      const header = out.subarray(at, at + BLOCK);
      if (header.every((b) => b === 0)) continue; // end-of-archive blocks
      this.dataBlocks = Math.ceil(entrySize(header) / BLOCK);
      this.own(header);
    }
    done(null, out);
  }

  override _flush(done: TransformCallback): void {
    done(null, this.pending);
  }

  private own(h: Buffer): void {
    writeOctal(h, 108, 8, this.uid);
    writeOctal(h, 116, 8, this.gid);
    const ustar = h.toString('latin1', 257, 262) === 'ustar';
    if (ustar) {
      writeText(h, 265, 32, this.name);
      writeText(h, 297, 32, this.name);
    }
    h.fill(0x20, 148, 156);
    let sum = 0;
    for (const b of h) sum += b;
    h.write(sum.toString(8).padStart(6, '0'), 148, 6, 'latin1');
    h[154] = 0;
    h[155] = 0x20;
  }
}

/** The entry's size field: octal text, or base-256 when its first byte has the high bit set. */
function entrySize(h: Buffer): number {
  if (h[124] & 0x80) {
    let n = 0;
    for (let i = 125; i < 136; i++) n = n * 256 + h[i];
    return n;
  }
  const text = h.toString('latin1', 124, 136).replace(/\0.*$/s, '').trim();
  return text ? parseInt(text, 8) : 0;
}

function writeOctal(h: Buffer, at: number, len: number, n: number): void {
  h.fill(0, at, at + len);
  h.write(n.toString(8).padStart(len - 1, '0'), at, len - 1, 'latin1');
}

function writeText(h: Buffer, at: number, len: number, text: string): void {
  h.fill(0, at, at + len);
  h.write(text, at, len - 1, 'latin1');
}
