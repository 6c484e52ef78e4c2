import { Kysely, Migrator, PostgresDialect, type MigrationProvider } from 'kysely';
import { userInfo } from 'node:os';
import pg from 'pg';
import type { Database } from './schema.js';
import { migrations } from './migrations.js';

// bigint columns (positions, sizes) fit in a JS number for any realistic log.
pg.types.setTypeParser(20, (v) => Number(v));

/**
 * A connection URL with a user name: pg otherwise takes it from $USER, which CI and service
 * managers often leave unset; PGUSER, then the OS account, as psql does.
 */
export function withUser(url: string): string {
  const u = new URL(url);
  if (!u.username) u.username = process.env.PGUSER || userInfo().username;
  return u.toString();
}

/** Opens the platform database through Kysely. */
export function createDb(url: string, max = 10): Kysely<Database> {
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: withUser(url), max }) }) });
}

/** Creates the database named in `url` when it does not exist yet, or says what to start. */
export async function ensureDatabase(url: string): Promise<void> {
  const target = new URL(withUser(url));
  const dbName = decodeURIComponent(target.pathname.replace(/^\//, '')) || 'paas';
  const admin = new URL(withUser(url));
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  try {
    await client.connect();
  } catch (err) {
    throw new Error(
      `PostgreSQL is not reachable at ${target.host} (${(err as Error).message}). Start PostgreSQL ` +
      `(e.g. "pg_ctlcluster 15 main start") or set DATABASE_URL.`,
    );
  }
  try {
    const found = await client.query('select 1 from pg_database where datname = $1', [dbName]);
    if (found.rowCount === 0) {
      await client.query(`create database "${dbName.replace(/"/g, '""')}"`).catch((err: { code?: string }) => {
        if (err.code !== '42P04') throw err; // created meanwhile by another service
      });
    }
  } finally {
    await client.end();
  }
}

/** Applies the migrations that are missing, failing loudly when one does not apply. */
export async function migrate(db: Kysely<Database>): Promise<void> {
  const provider: MigrationProvider = { getMigrations: async () => migrations };
  const { error, results } = await new Migrator({ db, provider }).migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    throw new Error(`database migration ${failed?.migrationName ?? ''} failed: ${(error as Error)?.message ?? 'unknown error'}`);
  }
}

/** Drops a database (tests clean up with this). */
export async function dropDatabase(url: string): Promise<void> {
  const target = new URL(withUser(url));
  const dbName = decodeURIComponent(target.pathname.replace(/^\//, ''));
  const admin = new URL(withUser(url));
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    await client.query(`drop database if exists "${dbName.replace(/"/g, '""')}" with (force)`);
  } finally {
    await client.end();
  }
}
