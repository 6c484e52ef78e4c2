import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { jetstream, jetstreamManager, type ConsumerMessages } from '@nats-io/jetstream';
import { names, SlugBuilt, type Envelope, type Names, type Slug } from '@paas/contracts';
import { createDb, type Database, type Kysely } from '@paas/db';
import { connectNats, EventPublisher, RpcClient, type NatsConnection } from '@paas/messaging';
import { cleanup, freshDatabase, freshNamespace, testMessagingSettings, waitFor } from '@paas/testing';
import { createReleaseApp, releaseSettingsFromEnv, type ReleaseSettings } from '../src/index.js';

process.env.PAAS_LOG_LEVEL ??= 'warn';

/** Every event the namespace's stream carries, in stream order, read by an ordered consumer. */
export class EventTap {
  readonly seen: Envelope[] = [];
  private constructor(private readonly messages: ConsumerMessages) {}

  static async start(nc: NatsConnection, n: Names): Promise<EventTap> {
    const consumer = await jetstream(nc).consumers.get(n.eventsStream, { filter_subjects: `${n.namespace}.events.>` });
    const tap = new EventTap(await consumer.consume());
    void (async () => { for await (const m of tap.messages) tap.seen.push(m.json<Envelope>()); })();
    return tap;
  }

  /** The app's events from the release log (they carry a stream version), optionally of one type. */
  of(appId: string, type?: string): Envelope[] {
    return this.seen.filter((e) => e.appId === appId && e.streamVersion !== undefined && (!type || e.type === type));
  }

  /** Waits until the app has at least `count` events (of a type), then returns them. */
  async waitFor(appId: string, count: number, type?: string): Promise<Envelope[]> {
    return waitFor(`${count} ${type ?? 'events'} of app ${appId} on NATS`, () => this.of(appId, type).length >= count && this.of(appId, type));
  }

  async close(): Promise<void> {
    await this.messages.close();
  }
}

/** A release service booted in-process on a fresh database and namespace, and clients to talk to it. */
export class Harness {
  app!: INestApplication;
  nc!: NatsConnection;
  rpc!: RpcClient;
  publisher!: EventPublisher;
  db!: Kysely<Database>;
  tap!: EventTap;
  settings!: ReleaseSettings;
  readonly namespace = freshNamespace('rel');
  readonly n: Names = names(this.namespace);
  databaseUrl = '';
  private readonly others: INestApplication[] = [];

  async start(): Promise<this> {
    this.databaseUrl = await freshDatabase('paas_release');
    this.settings = {
      ...releaseSettingsFromEnv({ ...process.env, DATABASE_URL: this.databaseUrl, PAAS_OUTBOX_INTERVAL_MS: '200', PAAS_OUTBOX_MAX_BACKOFF_MS: '1000' }),
      messaging: testMessagingSettings(this.namespace),
    };
    this.app = await createReleaseApp(this.settings);
    this.nc = await connectNats(this.settings.messaging.natsUrl, 'release-test');
    this.rpc = new RpcClient(this.nc, this.n, 'test', 10_000);
    this.publisher = new EventPublisher(this.nc, this.n, 'test');
    this.db = createDb(this.databaseUrl, 2);
    this.tap = await EventTap.start(this.nc, this.n);
    return this;
  }

  /** Boots one more release process on the same database and namespace; RPCs are shared between them. */
  async another(): Promise<INestApplication> {
    const app = await createReleaseApp(this.settings);
    this.others.push(app);
    return app;
  }

  /** Stops the service and boots a new one on the same database and namespace (a process restart). */
  async restart(): Promise<void> {
    await this.app.close();
    this.app = await createReleaseApp(this.settings);
  }

  async stop(): Promise<void> {
    await this.tap?.close().catch(() => undefined);
    for (const app of this.others) await app.close().catch(() => undefined);
    await this.app?.close().catch(() => undefined);
    await this.db?.destroy().catch(() => undefined);
    await this.nc?.close().catch(() => undefined);
    await cleanup({ namespace: this.namespace, databaseUrl: this.databaseUrl || undefined });
  }

  /** Publishes a SlugBuilt as the builder would. */
  async slugBuilt(appId: string, appName: string, slug: Slug, buildId = randomUUID()): Promise<Envelope> {
    return this.publisher.publish(SlugBuilt, { appName, buildId, slug }, { appId, correlationId: buildId });
  }

  /** Waits until the release service has handled (acked) every SlugBuilt published so far. */
  async slugBuiltHandled(): Promise<void> {
    const jsm = await jetstreamManager(this.nc);
    await waitFor('the release service to handle every SlugBuilt', async () => {
      const info = await jsm.consumers.info(this.n.eventsStream, this.n.durable('release', 'SlugBuilt'));
      return info.num_pending === 0 && info.num_ack_pending === 0;
    });
  }

  /** Rows of a table in a stable order, for comparing snapshots. */
  async rows(table: 'apps' | 'releases' | 'config_vars' | 'formation' | 'domains' | 'events' | 'outbox'
    | 'accounts' | 'api_tokens' | 'collaborators'): Promise<unknown[]> {
    const rows = await this.db.selectFrom(table).selectAll().execute();
    return rows.map((r) => JSON.parse(JSON.stringify(r))).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  }
}

/** A slug as the builder reports it. */
export function aSlug(processTypes: Record<string, string>, commit: string | null = 'abc1234def567890'): Slug {
  const id = randomUUID();
  return {
    id, processTypes, commit, buildpack: 'nodejs', stack: 'heroku-24',
    blob: { key: `slugs/${id}.tgz`, checksum: `sha256:${'b'.repeat(64)}`, size: 4096 },
  };
}
