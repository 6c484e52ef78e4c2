import { jetstreamManager, RetentionPolicy, StorageType, DiscardPolicy, type JetStreamManager, type StreamConfig } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Names } from '@paas/contracts';

const DAY_NS = 24 * 60 * 60 * 1e9;

/** The streams of one namespace: events, build output, app logs and parked messages. */
export function streamConfigs(n: Names, logLines = 1500): (Partial<StreamConfig> & { name: string })[] {
  const base = { retention: RetentionPolicy.Limits, storage: StorageType.File, num_replicas: 1 };
  return [
    // Durable consumers replay from here after downtime, so keep a generous window.
    { ...base, name: n.eventsStream, subjects: [`${n.namespace}.events.>`], max_age: 30 * DAY_NS, duplicate_window: 2 * 60 * 1e9 },
    { ...base, name: n.buildOutputStream, subjects: [`${n.namespace}.build-output.>`], max_age: 7 * DAY_NS },
    { ...base, name: n.logsStream, subjects: [`${n.namespace}.logs.>`], max_msgs_per_subject: logLines, discard: DiscardPolicy.Old },
    { ...base, name: `${n.eventsStream}_PARKED`, subjects: [`${n.namespace}.parked.>`], max_age: 90 * DAY_NS },
  ];
}

/**
 * Retries a JetStream call that failed only because the server was removing its storage directory:
 * nats-server 2.9 deletes an account's stream directory with its last stream, and a stream created
 * at that moment fails with "could not create storage directory" (10077).
 */
export async function retryStorageRace<T>(fn: () => Promise<T>, tries = 5): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (err) {
      const msg = (err as Error).message;
      if (i >= tries || !/error creating store|could not create storage directory/i.test(msg)) throw err;
      await new Promise((r) => setTimeout(r, 50 * i));
    }
  }
}

/** Creates the namespace's streams, or updates them to the wanted config; safe to run at every boot. */
export async function ensureStreams(nc: NatsConnection, n: Names, logLines?: number): Promise<void> {
  const jsm = await jetstreamManager(nc);
  for (const cfg of streamConfigs(n, logLines)) await retryStorageRace(() => ensureStream(jsm, cfg));
}

async function ensureStream(jsm: JetStreamManager, cfg: Partial<StreamConfig> & { name: string }): Promise<void> {
  try {
    await jsm.streams.info(cfg.name);
    await jsm.streams.update(cfg.name, cfg);
  } catch (err) {
    if (!/stream not found/i.test((err as Error).message)) throw err;
    try {
      await jsm.streams.add(cfg);
    } catch (addErr) {
      // Another service booting at the same moment created it first.
      if (!/already in use|already exists/i.test((addErr as Error).message)) throw addErr;
    }
  }
}

/** Deletes every stream of a namespace (tests clean up with this). */
export async function deleteStreams(nc: NatsConnection, n: Names): Promise<void> {
  const jsm = await jetstreamManager(nc);
  for (const cfg of streamConfigs(n)) {
    await jsm.streams.delete(cfg.name).catch(() => undefined);
  }
  await jsm.streams.delete(`KV_${n.routesBucket}`).catch(() => undefined);
}
