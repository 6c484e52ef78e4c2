import { Logger } from '@nestjs/common';
import { type LogLine, type Names } from '@paas/contracts';
import type { NatsConnection } from '@paas/messaging';

/** How long a line may wait to be sent with the lines of other requests. */
const BATCH_MS = 20;
/** A batch this big is sent at once, whatever the time. */
const BATCH_LINES = 512;

/** The part of nats.js's connection that takes protocol bytes as they are (one write for a batch). */
interface RawProtocol {
  sendCommand(cmd: Uint8Array): void;
}

/**
 * Publishes `heroku[router]` lines into the app's log subject (captured by the logs stream).
 * Lines are gathered for up to BATCH_MS and handed to the client together, so a busy router
 * makes one socket write (and one wake-up of NATS) per batch instead of one per request; each
 * line stays its own message (a NATS PUB of one LogLine), in order. A batch goes to the client
 * as one buffer of PUB commands when the client lets it (nats.js's per-message publish costs
 * about as much as the rest of a proxied request); otherwise line by line with publish().
 * Best effort: never awaited, so a slow or absent NATS never holds up a response, and a failure
 * costs log lines, not requests.
 */
export class RouterLog {
  private readonly log = new Logger('router-log');
  private warned = false;
  private subjects: string[] = [];
  private payloads: string[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly subjectOf = new Map<string, string>();
  private readonly stamps = new LogTimestamps();

  constructor(private readonly nc: NatsConnection, private readonly names: Names) {}

  /** Queues one line for the app's log stream. */
  publish(appId: string, line: string): void {
    let subject = this.subjectOf.get(appId);
    if (subject === undefined) {
      if (this.subjectOf.size > 10_000) this.subjectOf.clear();
      subject = this.names.logSubject(appId);
      this.subjectOf.set(appId, subject);
    }
    this.subjects.push(subject);
    this.payloads.push(logLinePayload(this.stamps.now(), line));
    if (this.subjects.length >= BATCH_LINES) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), BATCH_MS);
  }

  /** Sends every queued line now (also on shutdown). */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const subjects = this.subjects;
    const payloads = this.payloads;
    if (subjects.length === 0) return;
    this.subjects = [];
    this.payloads = [];
    try {
      const protocol = (this.nc as unknown as { protocol?: Partial<RawProtocol> }).protocol;
      if (typeof protocol?.sendCommand === 'function' && !this.nc.isClosed() && !this.nc.isDraining()) {
        let out = '';
        for (let i = 0; i < subjects.length; i++) out += `PUB ${subjects[i]} ${Buffer.byteLength(payloads[i])}\r\n${payloads[i]}\r\n`;
        protocol.sendCommand(Buffer.from(out));
      } else {
        for (let i = 0; i < subjects.length; i++) this.nc.publish(subjects[i], payloads[i]);
      }
      this.warned = false;
    } catch (err) {
      if (this.warned) return;
      this.warned = true;
      this.log.warn(`cannot publish router log lines (${(err as Error).message}); requests are still served, their log lines are dropped until NATS is back`);
    }
  }
}

/** The JSON of a LogLine from the router (as JSON.stringify(newLogLine('heroku', 'router', line)) writes it). */
export function logLinePayload(ts: string, line: string): string {
  return `{"ts":"${ts}","source":"heroku","dyno":"router","line":${JSON.stringify(line)}}`;
}

/**
 * LogLine timestamps (ISO with six fractional digits, as logTimestamp writes them) for the current
 * time, the ISO text made once per millisecond rather than once per line.
 */
export class LogTimestamps {
  private ms = -1;
  private prefix = '';

  now(epochMs: number = performance.timeOrigin + performance.now()): LogLine['ts'] {
    const wholeMs = Math.floor(epochMs);
    if (wholeMs !== this.ms) {
      this.ms = wholeMs;
      this.prefix = new Date(wholeMs).toISOString().slice(0, -1);
    }
    const micros = Math.min(999, Math.floor((epochMs - wholeMs) * 1000));
    return `${this.prefix}${micros < 10 ? '00' : micros < 100 ? '0' : ''}${micros}Z`;
  }
}
