import { Logger } from '@nestjs/common';
import { type LogLine, type Names } from '@paas/contracts';
import type { NatsConnection } from '@paas/messaging';

/** How long a line may wait to be sent with the lines of other requests. */
const BATCH_MS = 20;
/** This many lines waiting are sent at once, whatever the time. */
const BATCH_LINES = 512;
/** At most this many lines, and about this many bytes, go in one message (far below NATS's 1 MB payload limit). */
const MESSAGE_LINES = 100;
const MESSAGE_BYTES = 256 * 1024;

/**
 * Publishes `heroku[router]` lines into the app's log subject (captured by the logs stream).
 * Lines are gathered for up to BATCH_MS and sent as one message per app (a JSON array of
 * LogLines, in order, at most MESSAGE_LINES each): the logs stream stores, and each drain
 * consumer acknowledges, per message, and one NATS message per request cost the NATS server
 * about as much CPU as the request itself cost the router.
 * Best effort: never awaited, so a slow or absent NATS never holds up a response, and a failure
 * costs log lines, not requests.
 */
export class RouterLog {
  private readonly log = new Logger('router-log');
  private warned = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly stamps = new LogTimestamps();
  /** The lines waiting, as LogLine JSON, per app (in the order the apps first spoke). */
  private waiting = new Map<string, string[]>();
  private lines = 0;

  constructor(private readonly nc: NatsConnection, private readonly names: Names) {}

  /** Queues one line for the app's log stream. */
  publish(appId: string, line: string): void {
    this.publishJson(appId, JSON.stringify(line).slice(1, -1));
  }

  /** Queues one line given as the inside of a JSON string (routerLogLineJson), saving the escaping pass. */
  publishJson(appId: string, jsonLine: string): void {
    const payload = logLinePayload(this.stamps.now(), jsonLine);
    const app = this.waiting.get(appId);
    if (app === undefined) this.waiting.set(appId, [payload]);
    else app.push(payload);
    if (++this.lines >= BATCH_LINES) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), BATCH_MS);
  }

  /** Publishes a log message made elsewhere (the native data plane batches its own lines the same way). */
  publishMessage(appId: string, payload: string): void {
    try {
      if (this.nc.isClosed() || this.nc.isDraining()) throw new Error('the NATS connection is closed');
      this.nc.publish(this.names.logSubject(appId), payload);
      this.warned = false;
    } catch (err) {
      this.warnOnce(err as Error);
    }
  }

  /** Sends every queued line now (also on shutdown). */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.lines === 0) return;
    const waiting = this.waiting;
    this.waiting = new Map();
    this.lines = 0;
    try {
      if (this.nc.isClosed() || this.nc.isDraining()) throw new Error('the NATS connection is closed');
      for (const [appId, payloads] of waiting) {
        const subject = this.names.logSubject(appId);
        for (const message of logMessages(payloads, MESSAGE_LINES, MESSAGE_BYTES)) this.nc.publish(subject, message);
      }
      this.warned = false;
    } catch (err) {
      this.warnOnce(err as Error);
    }
  }

  private warnOnce(err: Error): void {
    if (this.warned) return;
    this.warned = true;
    this.log.warn(`cannot publish router log lines (${err.message}); requests are still served, their log lines are dropped until NATS is back`);
  }
}

/**
 * LogLine JSON texts, in order, as the payloads of log messages: a JSON array of at most
 * `maxLines` lines each, cut before a line that would take it past `maxBytes` characters (a
 * longer line goes alone); a single line goes as the LogLine itself.
 */
export function logMessages(payloads: readonly string[], maxLines: number, maxBytes: number): string[] {
  if (payloads.length === 1) return [payloads[0]!];
  const messages: string[] = [];
  let from = 0;
  let size = 0;
  for (let i = 0; i < payloads.length; i++) {
    const n = payloads[i]!.length + 1;
    if (i > from && (i - from >= maxLines || size + n > maxBytes)) {
      messages.push(`[${payloads.slice(from, i).join(',')}]`);
      from = i;
      size = 0;
    }
    size += n;
  }
  messages.push(`[${payloads.slice(from).join(',')}]`);
  return messages;
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
