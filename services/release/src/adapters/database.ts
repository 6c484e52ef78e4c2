import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown, type Provider } from '@nestjs/common';
import { createDb, ensureDatabase, migrate, type Database, type Kysely } from '@paas/db';
import type { ReleaseSettings } from '../config.js';
import { DB, SETTINGS } from '../tokens.js';
import { OutboxPublisher } from './outbox-publisher.js';

/** Opens the event log database at boot: creates it when missing and applies the migrations. */
export const databaseProvider: Provider = {
  provide: DB,
  inject: [SETTINGS],
  useFactory: async (settings: ReleaseSettings): Promise<Kysely<Database>> => {
    await ensureDatabase(settings.databaseUrl);
    const db = createDb(settings.databaseUrl, settings.dbPoolSize);
    try {
      await migrate(db);
    } catch (err) {
      await db.destroy();
      throw err;
    }
    new Logger('release:db').log(`event log ready at ${redact(settings.databaseUrl)}`);
    return db;
  },
};

/** Starts the outbox publisher once the app is up; at shutdown stops it, then closes the pool. */
@Injectable()
export class DatabaseLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(@Inject(DB) private readonly db: Kysely<Database>, private readonly outbox: OutboxPublisher) {}

  onApplicationBootstrap(): void {
    this.outbox.start();
  }

  async onApplicationShutdown(): Promise<void> {
    // Runs after the transport closed, so no handler appends any more.
    await this.outbox.stop();
    await this.db.destroy();
  }
}

/** The URL without its password, for logs. */
export function redact(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}
