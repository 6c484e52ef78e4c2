import { Logger } from '@nestjs/common';
import { type LogLine, type Names } from '@paas/contracts';
import type { NatsConnection } from '@paas/messaging';

/** How long a line may wait to be sent with the lines of other requests. */
const BATCH_MS = 20;
/** A batch this big is sent at once, whatever the time. */
const BATCH_LINES = 512;
/** The batch buffer's size (a line takes a few hundred bytes; a longer one gets a buffer of its own). */
const BATCH_BYTES = 256 * 1024;
/** Where a payload is encoded to learn its UTF-8 length before it is copied into the batch. */
const SCRATCH = Buffer.allocUnsafe(64 * 1024);

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
  private timer: NodeJS.Timeout | undefined;
  private readonly subjectOf = new Map<string, string>();
  private readonly stamps = new LogTimestamps();
  /** nats.js's protocol handler when it takes raw bytes, else undefined (then lines go through publish()). */
  private readonly protocol: RawProtocol | undefined;
  /** The batch as PUB commands, written straight into one buffer (raw mode). */
  private batch = Buffer.allocUnsafe(BATCH_BYTES);
  private used = 0;
  private lines = 0;
  /** The batch as subjects and payloads (publish() mode). */
  private subjects: string[] = [];
  private payloads: string[] = [];

  constructor(private readonly nc: NatsConnection, private readonly names: Names) {
    const protocol = (nc as unknown as { protocol?: Partial<RawProtocol> }).protocol;
    this.protocol = typeof protocol?.sendCommand === 'function' ? protocol as RawProtocol : undefined;
  }

  /** Queues one line for the app's log stream. */
  publish(appId: string, line: string): void {
    this.publishJson(appId, JSON.stringify(line).slice(1, -1));
  }

  /** Queues one line given as the inside of a JSON string (routerLogLineJson), saving the escaping pass. */
  publishJson(appId: string, jsonLine: string): void {
    let subject = this.subjectOf.get(appId);
    if (subject === undefined) {
      if (this.subjectOf.size > 10_000) this.subjectOf.clear();
      subject = this.names.logSubject(appId);
      this.subjectOf.set(appId, subject);
    }
    const payload = logLinePayload(this.stamps.now(), jsonLine);
    if (this.protocol !== undefined) this.append(subject, payload);
    else {
      this.subjects.push(subject);
      this.payloads.push(payload);
    }
    if (++this.lines >= BATCH_LINES) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), BATCH_MS);
  }

  /** Writes `PUB <subject> <bytes>\r\n<payload>\r\n` into the batch buffer. */
  private append(subject: string, payload: string): void {
    let bytes = payload.length <= SCRATCH.length / 3 ? SCRATCH.write(payload, 0) : -1;
    const big = bytes < 0 ? Buffer.from(payload) : undefined;
    if (big !== undefined) bytes = big.length;
    const head = `PUB ${subject} ${bytes}\r\n`;
    const need = head.length + bytes + 2;
    if (this.used + need > this.batch.length) {
      this.flush();
      if (need > this.batch.length) this.batch = Buffer.allocUnsafe(need);
    }
    this.used += this.batch.write(head, this.used, 'latin1');
    if (big !== undefined) big.copy(this.batch, this.used);
    else SCRATCH.copy(this.batch, this.used, 0, bytes);
    this.used += bytes;
    this.batch[this.used++] = 13;
    this.batch[this.used++] = 10;
  }

  /** Sends every queued line now (also on shutdown). */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.lines === 0) return;
    this.lines = 0;
    try {
      if (this.protocol !== undefined) {
        const out = this.batch.subarray(0, this.used);
        this.batch = Buffer.allocUnsafe(BATCH_BYTES);
        this.used = 0;
        if (this.nc.isClosed() || this.nc.isDraining()) throw new Error('the NATS connection is closed');
        this.protocol.sendCommand(out);
      } else {
        const { subjects, payloads } = this;
        this.subjects = [];
        this.payloads = [];
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

/**
 * The JSON of a LogLine from the router, as JSON.stringify(newLogLine('heroku', 'router', line))
 * writes it, from the line already escaped for the inside of a JSON string.
 */
export function logLinePayload(ts: string, jsonLine: string): string {
  return `{"ts":"${ts}","source":"heroku","dyno":"router","line":"${jsonLine}"}`;
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
