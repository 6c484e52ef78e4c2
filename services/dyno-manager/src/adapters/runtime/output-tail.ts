import { open, stat } from 'node:fs/promises';

interface Followed {
  readonly path: string;
  offset: number;
  partial: string;
  /** The read in progress: reads of one file never overlap, or a poll and an unfollow would both tell the same lines. */
  reading: Promise<void>;
}

const MAX_READ = 1 << 20;
const MAX_LINE = 10_000;
/** Once this much was read and nothing more is waiting, the file starts again from empty. */
const DEFAULT_MAX_FILE_BYTES = 8 << 20;

/**
 * Follows dyno output files by polling (simple, and it survives the writer being another
 * process): each complete new line is handed to `emit`. Best effort: a line that cannot be
 * read is skipped, never retried forever. The files stay small: once `maxFileBytes` were read
 * and the writer has added nothing since, the file is emptied (the dyno appends, so it goes on
 * at the new end); the logs live in the app's log stream, not on this disk.
 */
export class OutputTailer {
  private readonly files = new Map<string, Followed>();
  private readonly timer: NodeJS.Timeout;
  private polling = false;

  constructor(private readonly emit: (id: string, line: string) => void, intervalMs = 200, private readonly maxFileBytes = DEFAULT_MAX_FILE_BYTES) {
    this.timer = setInterval(() => void this.poll(), intervalMs);
    this.timer.unref();
  }

  /** Starts following a file, from its start (a new dyno) or its current end (an adopted one). */
  async follow(id: string, path: string, fromEnd: boolean): Promise<void> {
    const offset = fromEnd ? (await stat(path).catch(() => ({ size: 0 }))).size : 0;
    this.files.set(id, { path, offset, partial: '', reading: Promise.resolve() });
  }

  /** Reads what is left, then stops following. */
  async unfollow(id: string): Promise<void> {
    const f = this.files.get(id);
    if (!f) return;
    await this.readInTurn(id, f);
    if (f.partial) this.emit(id, f.partial);
    this.files.delete(id);
  }

  close(): void {
    clearInterval(this.timer);
    this.files.clear();
  }

  private async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      for (const [id, f] of this.files) await this.readInTurn(id, f);
    } finally {
      this.polling = false;
    }
  }

  private readInTurn(id: string, f: Followed): Promise<void> {
    f.reading = f.reading.then(() => this.read(id, f)).catch(() => undefined);
    return f.reading;
  }

  private async read(id: string, f: Followed): Promise<void> {
    const fh = await open(f.path, 'r+');
    try {
      const { size } = await fh.stat();
      if (size < f.offset) f.offset = 0; // truncated
      while (f.offset < size) {
        const buf = Buffer.alloc(Math.min(MAX_READ, size - f.offset));
        const { bytesRead } = await fh.read(buf, 0, buf.length, f.offset);
        if (bytesRead === 0) break;
        f.offset += bytesRead;
        this.split(id, f, buf.subarray(0, bytesRead).toString('utf8'));
      }
      if (f.offset >= this.maxFileBytes && (await fh.stat()).size === f.offset) {
        await fh.truncate(0);
        f.offset = 0;
      }
    } finally {
      await fh.close();
    }
  }

  private split(id: string, f: Followed, text: string): void {
    const parts = (f.partial + text).split('\n');
    f.partial = parts.pop() ?? '';
    if (f.partial.length > MAX_LINE) {
      parts.push(f.partial);
      f.partial = '';
    }
    for (const line of parts) if (this.files.has(id)) this.emit(id, line.replace(/\r$/, ''));
  }
}
