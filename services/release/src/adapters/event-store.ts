import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { ConcurrencyError, conflict, Events, isPaasError, type Envelope, type EventContract, type EventType } from '@paas/contracts';
import { sql, type Database, type Kysely, type Transaction } from '@paas/db';
import { currentTraceHeaders } from '@paas/telemetry';
import { DB } from '../tokens.js';
import { project } from './projector.js';

/** An event to append: its type and payload; the store adds the envelope. */
export interface NewEvent {
  readonly type: EventType;
  readonly data: unknown;
}

/** Why the events are appended: the command or event that caused them and the user action they belong to. */
export interface AppendMeta {
  readonly appId: string;
  readonly causationId: string | null;
  readonly correlationId: string;
}

/** What the log keeps next to each payload. */
export interface StoredMetadata {
  schemaVersion: number;
  appId: string;
  occurredAt: string;
  causationId: string | null;
  correlationId: string;
  /** W3C trace context of the append, so the publish later joins the same trace. */
  trace: Record<string, string>;
}

/** A stored event as its envelope, with where it sits in the log. */
export interface StoredEvent {
  readonly position: number;
  readonly envelope: Envelope;
  readonly trace: Record<string, string>;
}

export interface EventRow {
  position: string | number;
  stream_version: number;
  event_id: string;
  type: string;
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
}

/** The stream holding one app's events. */
export const appStream = (appId: string) => `app-${appId}`;

const ACCOUNT_PREFIX = 'account-';
/** The stream holding one account's events (its envelope appId is the account id). */
export const accountStream = (accountId: string) => `${ACCOUNT_PREFIX}${accountId}`;

/**
 * Whether a stream's events go to NATS. Account streams carry password and token hashes and
 * nobody consumes them, so they stay in the log and get no outbox row.
 */
export const isPublished = (streamId: string) => !streamId.startsWith(ACCOUNT_PREFIX);

/** The Postgres event log: streams read in order, appends checked against the expected version. */
@Injectable()
export class EventStore {
  constructor(@Inject(DB) private readonly db: Kysely<Database>) {}

  /** Every event of a stream, oldest first. */
  async readStream(streamId: string): Promise<StoredEvent[]> {
    const rows = await this.db.selectFrom('events').selectAll().where('stream_id', '=', streamId).orderBy('stream_version').execute();
    return rows.map(toStored);
  }

  /**
   * Appends events after `expectedVersion` in one transaction together with their projections and
   * outbox rows; a stream that moved on meanwhile is a ConcurrencyError and nothing is written.
   */
  async append(streamId: string, expectedVersion: number, events: readonly NewEvent[], meta: AppendMeta): Promise<StoredEvent[]> {
    try {
      return await this.db.transaction().execute(async (trx) => {
        const { version } = await trx.selectFrom('events')
          .select(sql<number>`coalesce(max(stream_version), 0)::int`.as('version'))
          .where('stream_id', '=', streamId).executeTakeFirstOrThrow();
        if (version !== expectedVersion) throw new ConcurrencyError(streamId, expectedVersion, version);
        const stored: StoredEvent[] = [];
        for (const [i, e] of events.entries()) stored.push(await this.insert(trx, streamId, expectedVersion + i + 1, e, meta));
        return stored;
      });
    } catch (err) {
      throw translate(err, streamId, expectedVersion, events);
    }
  }

  private async insert(trx: Transaction<Database>, streamId: string, streamVersion: number, e: NewEvent, meta: AppendMeta): Promise<StoredEvent> {
    const contract = Events[e.type] as EventContract;
    const envelope = contract.schema.parse({
      id: randomUUID(), type: e.type, version: contract.version, appId: meta.appId,
      occurredAt: new Date().toISOString(), causationId: meta.causationId, correlationId: meta.correlationId,
      streamVersion, data: e.data,
    });
    const metadata: StoredMetadata = {
      schemaVersion: contract.version, appId: meta.appId, occurredAt: envelope.occurredAt,
      causationId: meta.causationId, correlationId: meta.correlationId, trace: currentTraceHeaders(),
    };
    const row = await trx.insertInto('events').values({
      stream_id: streamId, stream_version: streamVersion, event_id: envelope.id, type: e.type,
      data: JSON.stringify(envelope.data), metadata: JSON.stringify(metadata),
    }).returning('position').executeTakeFirstOrThrow();
    await project(trx, envelope);
    if (isPublished(streamId)) await trx.insertInto('outbox').values({ position: row.position }).execute();
    return { position: Number(row.position), envelope, trace: metadata.trace };
  }
}

/** Rebuilds the envelope of a stored row, as it was when appended. */
export function toStored(row: EventRow): StoredEvent {
  const m = row.metadata as unknown as StoredMetadata;
  const envelope: Envelope = {
    id: row.event_id, type: row.type, version: m.schemaVersion, appId: m.appId, occurredAt: m.occurredAt,
    causationId: m.causationId, correlationId: m.correlationId, streamVersion: row.stream_version, data: row.data,
  };
  return { position: Number(row.position), envelope, trace: m.trace ?? {} };
}

/** Turns unique violations into what they mean: a lost race (retry), a taken app name, email or hostname (409). */
function translate(err: unknown, streamId: string, expected: number, events: readonly NewEvent[]): unknown {
  if (isPaasError(err)) return err;
  const pgErr = err as { code?: string; constraint?: string; message?: string };
  if (pgErr.code === '23505' && pgErr.constraint === 'events_stream_version_key') return new ConcurrencyError(streamId, expected, expected + 1);
  if (pgErr.code === '23505' && pgErr.constraint === 'apps_name_key') {
    const created = events.find((e) => e.type === 'AppCreated')?.data as { name: string };
    return conflict(`Name ${created.name} is already taken`);
  }
  if (pgErr.code === '23505' && pgErr.constraint === 'accounts_email_key') {
    const created = events.find((e) => e.type === 'AccountCreated')?.data as { email: string };
    return conflict(`Email ${created.email} is already taken.`);
  }
  if (pgErr.code === '23505' && pgErr.constraint === 'domains_pkey') {
    const added = events.find((e) => e.type === 'DomainAdded')?.data as { hostname: string };
    return conflict(`${added.hostname} is already in use by another app.`);
  }
  return new Error(`appending ${events.map((e) => e.type).join(', ')} to ${streamId} failed, nothing was written: ${pgErr.message ?? String(err)}`, { cause: err });
}
