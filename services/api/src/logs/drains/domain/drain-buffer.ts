import { newLogLine, type LogLine } from '@paas/contracts';

/**
 * What a drain has yet to deliver: at most `capacity` lines. When full, the oldest line goes and
 * is counted; the next batch taken starts with Logplex's L10 line saying how many were lost since
 * when, so the receiver knows. Pure: the clock comes in as arguments.
 */
export class DrainBuffer {
  private readonly lines: LogLine[] = [];
  private dropped = 0;
  private droppedSince: number | undefined;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new Error(`a drain buffer holds at least one line (got ${capacity})`);
  }

  get size(): number {
    return this.lines.length;
  }

  /** Whether a batch is waiting (lines, or a loss to report). */
  get pending(): boolean {
    return this.lines.length > 0 || this.dropped > 0;
  }

  /** Lines lost and not yet reported. */
  get lost(): number {
    return this.dropped;
  }

  /** Adds a line; never blocks or fails: when full, the oldest line is dropped instead. */
  push(line: LogLine, now: number): void {
    this.lines.push(line);
    if (this.lines.length > this.capacity) {
      this.lines.shift();
      this.lose(1, now);
    }
  }

  /** Counts lines lost elsewhere (a batch the drain refused or that ran out of tries). */
  lose(count: number, now: number): void {
    if (count <= 0) return;
    if (this.dropped === 0) this.droppedSince = now;
    this.dropped += count;
  }

  /**
   * The next batch, oldest first, at most `max` lines; it opens with an L10 line when lines were
   * lost. `reported` is the loss that line tells of, to count again if the batch is lost too.
   */
  take(max: number, now: number): { lines: LogLine[]; reported: number } {
    const lines: LogLine[] = [];
    const reported = this.dropped;
    if (reported > 0) {
      lines.push(overflowLine(reported, this.droppedSince ?? now, now));
      this.dropped = 0;
      this.droppedSince = undefined;
    }
    lines.push(...this.lines.splice(0, Math.max(0, max - lines.length)));
    return { lines, reported };
  }
}

/** `heroku[logplex]: Error L10 (output buffer overflow): N messages dropped since <time>.`, as Logplex writes it. */
export function overflowLine(dropped: number, since: number, now: number): LogLine {
  const at = new Date(Math.floor(since)).toISOString().replace(/\.\d+Z$/, '+00:00');
  return newLogLine('heroku', 'logplex', `Error L10 (output buffer overflow): ${dropped} messages dropped since ${at}.`, now);
}
