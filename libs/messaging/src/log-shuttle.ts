import type { NatsConnection } from '@nats-io/transport-node';
import { newLogLine, type LogLine, type Names } from '@paas/contracts';

/** Lines one dyno may have waiting before its oldest are dropped: room for a burst (a long stack trace), not for a flood. */
export const SHUTTLE_LINES_PER_DYNO = 10_000;
/** Lines published per dyno before waiting for the server to have them. */
const BATCH = 200;

interface DynoQueue {
  appId: string;
  dyno: string;
  lines: LogLine[];
  dropped: number;
  since: number;
}

/**
 * Carries log lines of many dynos to their apps' log subjects without ever making a dyno wait:
 * each dyno has a bounded queue; a pump publishes from every queue in turn and waits for the
 * server (flush) before the next round, so the pace is what NATS takes, not what a dyno writes.
 * A dyno that writes faster loses its oldest waiting lines and then reads, in order with the
 * rest of its lines, `Error L12 (Local buffer overflow): N messages dropped since <time>.`
 */
export class LogShuttle {
  private readonly queues = new Map<string, DynoQueue>();
  private pumping = false;

  constructor(private readonly nc: NatsConnection, private readonly names: Names, private readonly perDyno = SHUTTLE_LINES_PER_DYNO) {}

  /** Queues a line of one dyno (or of the platform about it); returns at once. */
  send(appId: string, line: LogLine): void {
    if (this.nc.isClosed()) return;
    const key = `${appId} ${line.dyno}`;
    let q = this.queues.get(key);
    if (!q) this.queues.set(key, (q = { appId, dyno: line.dyno, lines: [], dropped: 0, since: 0 }));
    q.lines.push(line);
    if (q.lines.length > this.perDyno) {
      q.lines.shift();
      if (q.dropped === 0) q.since = Date.now();
      q.dropped++;
    }
    if (!this.pumping) void this.pump();
  }

  /** Lines waiting, all dynos together (for tests and diagnostics). */
  get waiting(): number {
    let n = 0;
    for (const q of this.queues.values()) n += q.lines.length;
    return n;
  }

  private async pump(): Promise<void> {
    this.pumping = true;
    try {
      while (this.queues.size > 0 && !this.nc.isClosed()) {
        for (const [key, q] of this.queues) {
          if (q.dropped > 0) {
            this.publish(q.appId, lossLine(q));
            q.dropped = 0;
          }
          for (const l of q.lines.splice(0, BATCH)) this.publish(q.appId, l);
          if (q.lines.length === 0) this.queues.delete(key);
        }
        await this.nc.flush();
      }
    } catch {
      // Logs are best effort: the connection is closing; what is queued goes with it.
      this.queues.clear();
    } finally {
      this.pumping = false;
    }
  }

  private publish(appId: string, l: LogLine): void {
    try {
      this.nc.publish(this.names.logSubject(appId), JSON.stringify(l));
    } catch {
      // One line NATS refuses (larger than its max payload, or the connection closing) costs that line only.
    }
  }
}

function lossLine(q: DynoQueue): LogLine {
  const since = new Date(q.since).toISOString().replace(/\.\d+Z$/, '+00:00');
  return newLogLine('heroku', q.dyno, `Error L12 (Local buffer overflow): ${q.dropped} messages dropped since ${since}.`);
}
