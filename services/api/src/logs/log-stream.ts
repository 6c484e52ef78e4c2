import { Inject, Injectable, type BeforeApplicationShutdown } from '@nestjs/common';
import type { Response } from 'express';
import { DeliverPolicy, jetstream, jetstreamManager, type Consumer, type JetStreamClient, type JsMsg } from '@nats-io/jetstream';
import { formatLogLine, parseLogLines, type Names } from '@paas/contracts';
import { NAMES, NATS_CONNECTION, type NatsConnection } from '@paas/messaging';
import { matches, sseEvent, type LogSession } from './log-sessions.js';

/** A comment line now and then keeps proxies and the client from closing a quiet tail. */
const KEEP_ALIVE_MS = 15_000;

/**
 * Streams an app's log as server-sent events from the logs stream: one ordered consumer on the
 * app's log subject reads the history (the stream keeps the last 1500 messages per app, of one
 * line or a batch of lines each, so reading it all and keeping the last N lines is cheap) and,
 * when tailing, goes on with new lines. Each line is an event whose id is its message's sequence,
 * so the lines of a batch share one id: they are written together, and a reconnect resumes after
 * the whole message.
 */
@Injectable()
export class LogStreams implements BeforeApplicationShutdown {
  private readonly js: JetStreamClient;
  private readonly open = new Set<() => void>();
  private readonly running = new Set<Promise<void>>();

  constructor(@Inject(NATS_CONNECTION) private readonly nc: NatsConnection, @Inject(NAMES) private readonly names: Names) {
    this.js = jetstream(nc);
  }

  /** Answers with the session's lines; resumes after `afterSeq` (Last-Event-ID) instead of replaying history. */
  async serve(session: LogSession, afterSeq: number | undefined, res: Response): Promise<void> {
    const lastSeq = await this.lastSequence(session.appId);
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
    res.write('retry: 1000\n\n');
    const startSeq = afterSeq === undefined ? 1 : afterSeq + 1;
    if (!session.tail && lastSeq < startSeq) {
      res.end();
      return;
    }
    const consumer = await this.js.consumers.get(this.names.logsStream, {
      filter_subjects: this.names.logSubject(session.appId), deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: startSeq,
    });
    const done = this.pump(consumer, session, { lastSeq, startSeq, resuming: afterSeq !== undefined }, res).finally(async () => {
      await consumer.delete().catch(() => undefined); // ordered consumers otherwise linger for 5 minutes
      res.end();
    });
    this.running.add(done);
    try {
      await done;
    } finally {
      this.running.delete(done);
    }
  }

  /**
   * Ends every open stream and waits until their responses are over, so the HTTP server finds
   * the connections idle and closes them at once (clients with a tail reconnect elsewhere).
   */
  async beforeApplicationShutdown(): Promise<void> {
    for (const stop of this.open) stop();
    await Promise.allSettled([...this.running]);
  }

  private async pump(consumer: Consumer, session: LogSession, at: { lastSeq: number; startSeq: number; resuming: boolean }, res: Response): Promise<void> {
    // Nothing stored from startSeq on (lines may have been discarded since lastSequence): no history.
    let live = at.lastSeq < at.startSeq || (await consumer.info(true)).num_pending === 0;
    if (live && !session.tail) return;
    const messages = await consumer.consume();
    const stop = () => void messages.stop();
    const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), KEEP_ALIVE_MS);
    this.open.add(stop);
    res.on('close', stop);
    if (res.closed) stop(); // the client left while the consumer was being set up
    // History: the last `lines` matching lines up to lastSeq; a reconnect gets every line after its id.
    const history = new History(at.resuming ? Infinity : session.lines);
    try {
      for await (const m of messages) {
        const texts = this.render(m, session);
        if (live) {
          if (texts.length > 0) res.write(texts.map((text) => sseEvent(m.seq, text)).join(''));
          continue;
        }
        for (const text of texts) history.push(m.seq, text);
        // Caught up with what was stored when the request came (or with everything, under heavy traffic).
        if (m.seq >= at.lastSeq || m.info.pending === 0) {
          res.write(history.drain());
          if (!session.tail) return;
          live = true;
        }
      }
    } finally {
      clearInterval(keepAlive);
      res.off('close', stop);
      this.open.delete(stop);
      await messages.close().catch(() => undefined);
    }
  }

  /** The message's lines that pass the filters, formatted (one event each, all with the message's sequence as id). */
  private render(m: JsMsg, session: LogSession): string[] {
    const texts: string[] = [];
    for (const l of parseLogLines(m.string())) if (matches(session, l)) texts.push(formatLogLine(l));
    return texts;
  }

  /** The stream sequence of the app's newest line, 0 when it has none. */
  private async lastSequence(appId: string): Promise<number> {
    const jsm = await jetstreamManager(this.nc);
    try {
      const m = await jsm.streams.getMessage(this.names.logsStream, { last_by_subj: this.names.logSubject(appId) });
      return m?.seq ?? 0;
    } catch (err) {
      if (/no message found|not found/i.test((err as Error).message)) return 0;
      throw new Error(`reading the end of the app's log failed: ${(err as Error).message}`);
    }
  }
}

/** The last `size` events seen, in order. */
class History {
  private readonly events: string[] = [];
  constructor(private readonly size: number) {}

  push(seq: number, text: string): void {
    if (this.size === 0) return;
    this.events.push(sseEvent(seq, text));
    if (this.events.length > this.size) this.events.shift();
  }

  drain(): string {
    return this.events.splice(0).join('');
  }
}
