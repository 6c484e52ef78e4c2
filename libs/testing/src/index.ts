import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import pg from 'pg';
import { dropAddonResources } from './addons.js';

export { dropAddonResources } from './addons.js';
export { freePort } from './ports.js';

/** The shape of @paas/messaging's settings (kept structural so this lib depends on no other). */
export interface MessagingSettings {
  natsUrl: string;
  namespace: string;
  maxDeliver: number;
  retryDelayMs: number;
  rpcTimeoutMs: number;
}

export const NATS_URL = process.env.NATS_URL || 'nats://127.0.0.1:4222';
export const PG_BASE = process.env.TEST_DATABASE_BASE_URL || `postgres://${process.env.PGUSER || userInfo().username}@127.0.0.1:5432`;

/** A namespace no other test or running platform uses. */
export function freshNamespace(prefix = 't'): string {
  return `${prefix}${randomBytes(4).toString('hex')}`;
}

/** Messaging settings for tests: fast retries so redelivery and parking show up quickly. */
export function testMessagingSettings(namespace: string, over: Partial<MessagingSettings> = {}): MessagingSettings {
  return { natsUrl: NATS_URL, namespace, maxDeliver: 3, retryDelayMs: 50, rpcTimeoutMs: 5000, ...over };
}

/** Creates an empty database for one spec file; returns its URL. */
export async function freshDatabase(prefix = 'paas_test'): Promise<string> {
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  await adminQuery(`create database "${name}"`);
  return `${PG_BASE}/${name}`;
}

export async function freshDataDir(prefix = 'paas-test-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

/** Removes what a spec created: its streams, bucket, database and data directory. */
export async function cleanup(o: { namespace?: string; databaseUrl?: string; dataDir?: string }): Promise<void> {
  if (o.namespace) await deleteNamespaceStreams(o.namespace);
  if (o.databaseUrl) {
    await dropAddonResources(o.databaseUrl);
    const name = new URL(o.databaseUrl).pathname.slice(1);
    await adminQuery(`drop database if exists "${name}" with (force)`);
  }
  if (o.dataDir) await rm(o.dataDir, { recursive: true, force: true });
}

/**
 * Polls `probe` until it returns something other than undefined/false, or fails after the
 * deadline with the last value seen. Tests wait with this, never with a fixed sleep.
 */
export async function waitFor<T>(
  what: string, probe: () => Promise<T | undefined | false> | T | undefined | false,
  { timeoutMs = 15_000, intervalMs = 50, failFast }: { timeoutMs?: number; intervalMs?: number; failFast?: (err: Error) => boolean } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined && v !== false) return v as T;
      last = v;
    } catch (err) {
      if (failFast?.(err as Error)) throw err;
      last = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last: ${last instanceof Error ? last.message : JSON.stringify(last)}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Resolves with the first value an async iterable yields that matches, or fails after the deadline. */
export async function firstMatch<T>(it: AsyncIterable<T>, match: (v: T) => boolean, what: string, timeoutMs = 15_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)), timeoutMs);
  });
  const find = (async () => {
    for await (const v of it) if (match(v)) return v;
    throw new Error(`stream ended before ${what}`);
  })();
  try {
    return await Promise.race([find, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: `${PG_BASE}/postgres` });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Deletes every stream (and KV bucket) whose name belongs to the namespace. */
export async function deleteNamespaceStreams(namespace: string): Promise<void> {
  const prefix = namespace.toUpperCase().replace(/-/g, '_') + '_';
  const nc = await connect({ servers: NATS_URL, name: 'test-cleanup' });
  try {
    const jsm = await jetstreamManager(nc);
    for await (const si of jsm.streams.list()) {
      const name = si.config.name;
      if (name.startsWith(prefix) || name.startsWith(`KV_${prefix}`)) await jsm.streams.delete(name);
    }
  } finally {
    await nc.close();
  }
}
