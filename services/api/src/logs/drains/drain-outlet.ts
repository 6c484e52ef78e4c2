import { randomBytes } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { redactDrainUrl, type AppLogDrain, type LogLine } from '@paas/contracts';
import { RefusedBatch, type DrainSender } from './adapters/drain-sender.js';
import { certificateErrorLine, isCertificateError } from './domain/certificate-error.js';
import { DrainBuffer } from './domain/drain-buffer.js';
import { MAX_RETRY_MS, type DrainSettings } from './drain-settings.js';

/**
 * One drain's delivery: lines go into its own bounded buffer at once (push never waits), and a
 * pump sends them in batches, trying a failed batch again with growing waits. A drain that
 * cannot keep up loses its oldest lines (then hears of it in an L10 line); it never holds up
 * the app's log or any other drain.
 */
export class DrainOutlet {
  private readonly log = new Logger('log-drains');
  private readonly buffer: DrainBuffer;
  private pumping = false;
  private closed = false;
  private failing = false;
  private wakeUp: (() => void) | undefined;
  /** Where the drain goes, without credentials: for our own log lines. */
  readonly where: string;

  /** `report` writes a line into the app's own log (an L14 when the drain's certificate is refused). */
  constructor(
    readonly drain: AppLogDrain,
    private readonly sender: DrainSender,
    private readonly settings: DrainSettings,
    private readonly report: (line: LogLine) => void = () => undefined,
  ) {
    this.buffer = new DrainBuffer(settings.bufferLines);
    this.where = redactDrainUrl(drain.url);
  }

  /** Queues a line for the drain; never blocks. */
  push(line: LogLine): void {
    if (this.closed) return;
    this.buffer.push(line, Date.now());
    if (!this.pumping) void this.pump();
  }

  /** Stops delivering; what is still buffered is dropped. */
  close(): void {
    this.closed = true;
    this.wakeUp?.();
    this.sender.close();
  }

  private async pump(): Promise<void> {
    this.pumping = true;
    try {
      while (!this.closed && this.buffer.pending) {
        const batch = this.buffer.take(this.settings.batchLines, Date.now());
        await this.deliver(batch.lines, batch.reported);
      }
    } finally {
      this.pumping = false;
    }
  }

  private async deliver(lines: LogLine[], reported: number): Promise<void> {
    const frameId = randomBytes(16).toString('hex').toUpperCase();
    let wait = this.settings.retryMs;
    for (let attempt = 1; !this.closed; attempt++) {
      try {
        await this.sender.send(lines, frameId);
        if (this.failing) this.log.log(`drain ${this.drain.id} of ${this.drain.appName} (${this.where}) takes lines again`);
        this.failing = false;
        return;
      } catch (err) {
        if (this.closed) return;
        const refused = err instanceof RefusedBatch;
        if (!this.failing) {
          this.log.warn(`drain ${this.drain.id} of ${this.drain.appName} (${this.where}): ${(err as Error).message}; ` +
            (refused ? 'dropping that batch' : `trying again with waits up to ${MAX_RETRY_MS / 1000} s, lines beyond ${this.settings.bufferLines} are dropped meanwhile`));
          this.failing = true;
          if (isCertificateError(err)) this.report(certificateErrorLine(this.drain.token, this.where, (err as Error).message, Date.now()));
        }
        if (refused || attempt >= this.settings.tries) {
          // The lines are lost: the next batch opens with an L10 line that counts them.
          this.buffer.lose(lines.length - (reported > 0 ? 1 : 0) + reported, Date.now());
          return;
        }
        await this.pause(wait);
        wait = Math.min(wait * 2, MAX_RETRY_MS);
      }
    }
  }

  /** Waits before the next try; close() cuts it short. */
  private pause(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakeUp = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakeUp = done;
    });
  }
}
