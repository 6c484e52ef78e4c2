import { Inject, Injectable, Logger } from '@nestjs/common';
import { Events, type Envelope, type EventContract, type EventType } from '@paas/contracts';
import { sql, type Database, type Kysely, type Transaction } from '@paas/db';
import { EventPublisher } from '@paas/messaging';
import type { ReleaseSettings } from '../config.js';
import { DB, SETTINGS } from '../tokens.js';
import { ApiLog } from './api-log.js';
import { toStored } from './event-store.js';

const BATCH = 100;
/** Advisory lock held while publishing: one publisher at a time keeps the log's order on NATS. */
const PUBLISH_LOCK = 0x7061_6173; // "paas"

type Outcome = 'published' | 'empty' | 'failed' | 'busy';

/**
 * Publishes committed events from the outbox to JetStream in log order, deleting each row once
 * JetStream acknowledged it. Runs after every commit and on a timer, so events committed just
 * before a crash go out when any release process runs again; a re-publish after a crash is
 * dropped by JetStream because the Nats-Msg-Id is the event id.
 */
@Injectable()
export class OutboxPublisher {
  private readonly log = new Logger('release:outbox');
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = true;
  private failures = 0;
  private retryAt = 0;

  constructor(
    @Inject(DB) private readonly db: Kysely<Database>,
    private readonly publisher: EventPublisher,
    @Inject(SETTINGS) private readonly settings: ReleaseSettings,
    private readonly apiLog: ApiLog,
  ) {}

  /** Starts the timer and publishes whatever an earlier process left behind. */
  start(): void {
    this.stopped = false;
    this.timer = setInterval(() => void this.kick(), this.settings.outboxIntervalMs);
    void this.kick();
  }

  /** Stops the timer and waits for a publish in progress; rows left wait for the next start. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running;
  }

  /** Publishes what is pending now (called right after each commit); resolves when that pass ends. */
  kick(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.running) {
      this.again = true; // a commit landed during this pass: go round once more
      return this.running;
    }
    this.running = this.passes().finally(() => { this.running = undefined; });
    return this.running;
  }

  private async passes(): Promise<void> {
    do {
      this.again = false;
      if (Date.now() < this.retryAt) return; // backing off after a NATS failure; the timer comes back
      let outcome: Outcome;
      do outcome = await this.publishBatch().catch((err: Error) => this.failed(`reading the outbox failed: ${err.message}`));
      while (outcome === 'published' && !this.stopped);
    } while (this.again && !this.stopped);
  }

  /** One batch; the app[api] log lines of what went out follow once the deletions are committed. */
  private async publishBatch(): Promise<Outcome> {
    const sent: Envelope[] = [];
    const outcome = await this.publishRows(sent); // a rolled-back batch goes out again: log it then
    for (const envelope of sent) this.apiLog.published(envelope);
    return outcome;
  }

  private publishRows(sent: Envelope[]): Promise<Outcome> {
    return this.db.transaction().execute(async (trx) => {
      const { rows: [lock] } = await sql<{ locked: boolean }>`select pg_try_advisory_xact_lock(${PUBLISH_LOCK}) as locked`.execute(trx);
      if (!lock?.locked) return 'busy'; // another release process is publishing right now
      const rows = await trx.selectFrom('outbox').innerJoin('events', 'events.position', 'outbox.position')
        .select(['events.position', 'events.stream_version', 'events.event_id', 'events.type', 'events.data', 'events.metadata'])
        .orderBy('outbox.position').limit(BATCH)
        .forUpdate('outbox').skipLocked()
        .execute();
      if (rows.length === 0) return 'empty';
      for (const row of rows) {
        const { envelope, trace } = toStored(row);
        try {
          await this.publisher.publishEnvelope(Events[envelope.type as EventType] as EventContract, envelope, trace);
        } catch (err) {
          await this.recordFailure(trx, row.position, err as Error);
          return this.failed(`publishing ${envelope.type} ${envelope.id} failed, keeping it in the outbox: ${(err as Error).message}`);
        }
        await trx.deleteFrom('outbox').where('position', '=', row.position).execute();
        sent.push(envelope);
      }
      this.failures = 0;
      return 'published';
    });
  }

  private async recordFailure(trx: Transaction<Database>, position: string, err: Error): Promise<void> {
    await trx.updateTable('outbox')
      .set((eb) => ({ attempts: eb('attempts', '+', 1), last_error: err.message.slice(0, 1000) }))
      .where('position', '=', position).execute();
  }

  /** Backs off exponentially up to the configured maximum, so a NATS outage is not hammered. */
  private failed(message: string): Outcome {
    this.failures += 1;
    const delay = Math.min(this.settings.outboxIntervalMs * 2 ** (this.failures - 1), this.settings.outboxMaxBackoffMs);
    this.retryAt = Date.now() + delay;
    this.log.warn(`${message}; retrying in ${delay} ms`);
    return 'failed';
  }
}
