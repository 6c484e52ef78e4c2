import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type BeforeApplicationShutdown } from '@nestjs/common';
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, type ConsumerMessages } from '@nats-io/jetstream';
import { AppDestroyed, type Names } from '@paas/contracts';
import { NAMES, NATS_CONNECTION, type NatsConnection } from '@paas/messaging';
import type { ApiSettings } from '../config.js';
import { SETTINGS } from '../tokens.js';
import { RegistryService } from './registry.service.js';

/** The durable consumer all api processes share: each destroyed app is cleaned up by one of them. */
const CONSUMER = 'api-registry-janitor';
/** A cleanup the registry could not do now is tried again after this long. */
const RETRY_NS = 10_000 * 1e6;

/**
 * Removes a destroyed app's images from the registry, so a new app given the same name (maybe
 * another user's) can never pull them: every manifest of every `<app>/<type>` repository is
 * deleted through the registry's API (which also drops its cached descriptors), including
 * revisions no tag names any more, then the repositories' directories. Their layers stay on disk
 * until the registry's garbage collection; nothing can reach them.
 */
@Injectable()
export class RegistryJanitor implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly log = new Logger('registry');
  private messages: ConsumerMessages | undefined;
  private consuming: Promise<void> | undefined;
  private stopped = false;

  constructor(
    @Inject(SETTINGS) private readonly settings: ApiSettings,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(NAMES) private readonly names: Names,
    private readonly registry: RegistryService,
  ) {}

  onApplicationBootstrap(): void {
    this.consuming = this.consume().catch((err: Error) => {
      if (!this.stopped) this.log.error(`registry cleanup of destroyed apps stopped: ${err.message}`);
    });
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    await this.messages?.close().catch(() => undefined);
    await this.consuming;
  }

  private async consume(): Promise<void> {
    const jsm = await jetstreamManager(this.nc);
    const stream = this.names.eventsStream;
    await jsm.consumers.info(stream, CONSUMER).catch(() => jsm.consumers.add(stream, {
      durable_name: CONSUMER, filter_subject: this.names.eventFilter(AppDestroyed.type),
      ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.New, ack_wait: 60_000 * 1e6,
    })).catch((err: Error) => {
      if (!/already (in use|exists)/i.test(err.message)) throw err;
    });
    if (this.stopped) return;
    const consumer = await jetstream(this.nc).consumers.get(stream, CONSUMER);
    this.messages = await consumer.consume({ max_messages: 16, expires: 5_000 });
    if (this.stopped) await this.messages.close();
    for await (const m of this.messages) {
      const parsed = AppDestroyed.schema.safeParse(m.json());
      if (!parsed.success) {
        m.term();
        continue;
      }
      try {
        await this.forget(parsed.data.data.name, Date.parse(parsed.data.occurredAt));
        m.ack();
      } catch (err) {
        this.log.warn(`could not remove the images of the destroyed app ${parsed.data.data.name} yet (${(err as Error).message}); trying again`);
        m.nak(RETRY_NS / 1e6);
      }
    }
  }

  /**
   * Deletes every manifest of the app's repositories pushed before it was destroyed (a new app of
   * the same name may already have pushed its own); nothing to do when the registry is off.
   */
  async forget(app: string, destroyedAt: number): Promise<void> {
    if (!(await this.registry.running())) return;
    const repos = join(this.settings.dataDir, 'registry', 'data', 'docker', 'registry', 'v2', 'repositories', app);
    const types = await readdir(repos).catch(() => [] as string[]);
    let kept = false;
    for (const type of types) {
      const repository = `${app}/${type}`;
      const revisions = join(repos, type, '_manifests', 'revisions', 'sha256');
      const digests: string[] = [];
      for (const hex of await readdir(revisions).catch(() => [] as string[])) {
        const pushed = await stat(join(revisions, hex, 'link')).then((st) => st.mtimeMs, () => 0);
        if (pushed <= destroyedAt) digests.push(`sha256:${hex}`);
        else kept = true;
      }
      if (digests.length === 0) continue;
      const { token } = await this.registry.token('paas-api', [{ type: 'repository', name: repository, actions: ['pull', 'push', 'delete'] }]);
      const base = await this.registry.url();
      for (const digest of digests) {
        const res = await fetch(`${base}/v2/${repository}/manifests/${digest}`, { method: 'DELETE', headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(15_000) });
        // 404: already gone (a retried cleanup).
        if (!res.ok && res.status !== 404) throw new Error(`the registry answered ${res.status} deleting a manifest of ${repository}`);
      }
    }
    if (!kept) await rm(repos, { recursive: true, force: true });
    if (types.length > 0) this.log.log(`removed the images of the destroyed app ${app} (${types.join(', ')})`);
  }
}
