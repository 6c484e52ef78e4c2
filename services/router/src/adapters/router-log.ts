import { Logger } from '@nestjs/common';
import { newLogLine, type Names } from '@paas/contracts';
import type { NatsConnection } from '@paas/messaging';

/** How long a line may wait to be sent with the lines of other requests. */
const BATCH_MS = 20;
/** A batch this big is sent at once, whatever the time. */
const BATCH_LINES = 512;

/**
 * Publishes `heroku[router]` lines into the app's log subject (captured by the logs stream).
 * Lines are gathered for up to BATCH_MS and handed to the client together, so a busy router
 * makes one socket write (and one wake-up of NATS) per batch instead of one per request; each
 * line stays its own message, in order. Best effort: never awaited, so a slow or absent NATS
 * never holds up a response, and a failure costs log lines, not requests.
 */
export class RouterLog {
  private readonly log = new Logger('router-log');
  private warned = false;
  private pending: { subject: string; payload: string }[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly nc: NatsConnection, private readonly names: Names) {}

  /** Queues one line for the app's log stream. */
  publish(appId: string, line: string): void {
    this.pending.push({ subject: this.names.logSubject(appId), payload: JSON.stringify(newLogLine('heroku', 'router', line)) });
    if (this.pending.length >= BATCH_LINES) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), BATCH_MS);
  }

  /** Sends every queued line now (also on shutdown). */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending;
    this.pending = [];
    try {
      for (const m of batch) this.nc.publish(m.subject, m.payload);
      this.warned = false;
    } catch (err) {
      if (this.warned) return;
      this.warned = true;
      this.log.warn(`cannot publish router log lines (${(err as Error).message}); requests are still served, their log lines are dropped until NATS is back`);
    }
  }
}
