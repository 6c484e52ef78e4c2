import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import type { INestApplication } from '@nestjs/common';
import { DeliverPolicy, jetstream } from '@nats-io/jetstream';
import * as tar from 'tar';
import Docker from 'dockerode';
import { removeTenantNetworks } from '@paas/isolation';
import { names, SourcePushed, type AnyEvent, type EventOf, type Names } from '@paas/contracts';
import { BuildOutput, connectNats, EventPublisher, type NatsConnection } from '@paas/messaging';
import { blobStoreFor, type FileBlobStore } from '@paas/storage';
import { cleanup, freshDataDir, freshNamespace, testMessagingSettings } from '@paas/testing';
import { createBuilderApp, type BuilderSettings } from '../src/index.js';

const execFileAsync = promisify(execFile);

export type Outcome = Extract<AnyEvent, { type: 'SlugBuilt' | 'BuildFailed' }>;
export type Pushed = EventOf<typeof SourcePushed>;

/** A tree to push: file contents by path; `tarPaths` overrides what is archived (to craft hostile entries). */
export interface Tree {
  files: Record<string, string>;
  tarPaths?: string[];
  /** Archive it as the api does: a git commit, then `git archive --format=tar.gz`. */
  git?: boolean;
}

const GIT_ENV = { GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com', GIT_CONFIG_NOSYSTEM: '1' };

/** The tree in `root` as a tar.gz stream: made by git as the api makes it, or by node-tar. */
async function archiveOf(root: string, tree: Tree): Promise<Readable> {
  if (tree.git) {
    const git = (...args: string[]) => execFileAsync('git', args, { cwd: root, env: { ...process.env, ...GIT_ENV, HOME: root } });
    await git('init', '--quiet', '--initial-branch=main');
    await git('add', '-A');
    await git('commit', '--quiet', '-m', 'first');
    // Read the archive while git writes it: a child's stdout left unread until after it exits arrives empty.
    const { stdout } = await execFileAsync('git', ['archive', '--format=tar.gz', 'HEAD'], { cwd: root, encoding: 'buffer', maxBuffer: 64 * 1024 * 1024 });
    return Readable.from([stdout]);
  }
  const archive = tar.c({ gzip: true, cwd: root, portable: true, preservePaths: Boolean(tree.tarPaths) }, tree.tarPaths ?? ['.']);
  return Readable.from(archive, { objectMode: false });
}

/**
 * A builder booted in-process on its own namespace and data dir, with what a test needs around it:
 * the blob store the api would write sources to, a publisher, and readers for events and build output.
 */
export class BuilderHarness {
  app: INestApplication | undefined;
  readonly n: Names;
  private readonly scratch: string[] = [];

  private constructor(
    readonly settings: BuilderSettings,
    readonly nc: NatsConnection,
    readonly blobs: FileBlobStore,
    readonly publisher: EventPublisher,
    readonly output: BuildOutput,
  ) {
    this.n = names(settings.messaging.namespace);
  }

  static async start(over: Partial<BuilderSettings> = {}): Promise<BuilderHarness> {
    const namespace = freshNamespace('bld');
    const settings: BuilderSettings = { messaging: testMessagingSettings(namespace), dataDir: await freshDataDir('paas-builder-'), buildTimeoutMs: 60_000, maxSlugMb: 500, buildIn: 'host', stackImage: 'paas/stack:bookworm', buildCaFile: null,
      buildLimits: { memoryMb: 2560, pids: 4096, cpus: 1 }, buildAllowedHosts: [], buildProxyPort: 3128, ...over };
    const nc = await connectNats(settings.messaging.natsUrl, 'builder-test');
    const n = names(namespace);
    const h = new BuilderHarness(settings, nc, blobStoreFor(settings.dataDir), new EventPublisher(nc, n, 'api'), new BuildOutput(nc, n));
    await h.boot();
    return h;
  }

  /** Starts (again) a builder on the same namespace and data dir, as a restarted process would. */
  async boot(): Promise<void> {
    this.app = await createBuilderApp(this.settings);
  }

  async stop(): Promise<void> {
    await this.app?.close().catch(() => undefined);
    this.app = undefined;
  }

  async cleanup(): Promise<void> {
    await this.stop();
    await this.nc.close().catch(() => undefined);
    for (const d of this.scratch) await rm(d, { recursive: true, force: true });
    // Builds in containers made the builds' network and its firewall: they go with the namespace.
    if (this.settings.buildIn !== 'host') await removeTenantNetworks(new Docker(), this.n.namespace);
    await cleanup({ namespace: this.n.namespace, dataDir: this.settings.dataDir });
  }

  /** A temp directory removed at cleanup, readable by everyone (builds may run as an app's own user). */
  async tempDir(prefix: string): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), prefix));
    await chmod(dir, 0o755);
    this.scratch.push(dir);
    return dir;
  }

  /** Stores the tree as the api would (a tar.gz under sources/) and publishes SourcePushed for it. */
  async push(tree: Tree, config: Record<string, string> = {}, appId: string = randomUUID()): Promise<Pushed> {
    const buildId = randomUUID();
    const dir = await this.tempDir('paas-src-');
    const root = join(dir, 'app');
    for (const [path, content] of Object.entries(tree.files)) {
      await mkdir(dirname(join(root, path)), { recursive: true });
      await writeFile(join(root, path), content);
    }
    await mkdir(root, { recursive: true });
    const source = await this.blobs.put(`sources/${appId}/${buildId}.tar.gz`, await archiveOf(root, tree));
    return this.publisher.publish(SourcePushed, {
      appName: 'myapp', buildId, source, commit: 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678', ref: 'refs/heads/main', by: 'admin@paas.local', config,
    }, { appId, correlationId: buildId });
  }

  /** Every event of one app so far and as they come, until the build's outcome; fails after the deadline. */
  async eventsUntilOutcome(appId: string, timeoutMs = 60_000, buildId?: string): Promise<AnyEvent[]> {
    const consumer = await jetstream(this.nc).consumers.get(this.n.eventsStream, {
      filter_subjects: this.n.appEventsFilter(appId), deliver_policy: DeliverPolicy.All,
    });
    const messages = await consumer.consume();
    const timer = setTimeout(() => void messages.stop(), timeoutMs);
    const seen: AnyEvent[] = [];
    try {
      for await (const m of messages) {
        const e = m.json<AnyEvent>();
        seen.push(e);
        if ((e.type === 'SlugBuilt' || e.type === 'BuildFailed') && (!buildId || e.data.buildId === buildId)) return seen;
      }
      throw new Error(`no SlugBuilt or BuildFailed for app ${appId} within ${timeoutMs} ms; saw ${seen.map((e) => e.type).join(', ') || 'nothing'}`);
    } finally {
      clearTimeout(timer);
      await messages.close().catch(() => undefined);
    }
  }

  /** Pushes a tree and waits for the build's outcome. */
  async build(tree: Tree, config: Record<string, string> = {}, appId?: string): Promise<{ pushed: Pushed; outcome: Outcome; events: AnyEvent[] }> {
    const pushed = await this.push(tree, config, appId);
    const events = await this.eventsUntilOutcome(pushed.appId, 300_000, pushed.data.buildId);
    return { pushed, outcome: events.at(-1) as Outcome, events };
  }

  /** The build's output lines and its end marker, read as the api reads them. */
  async outputOf(buildId: string): Promise<{ lines: string[]; end: string | undefined }> {
    const lines: string[] = [];
    for await (const item of this.output.read(buildId, 10_000)) {
      if ('end' in item) return { lines, end: item.end };
      lines.push(item.line);
    }
    return { lines, end: undefined };
  }

  /** Unpacks a stored slug into a temp dir and returns the dir. */
  async unpackSlug(outcome: Outcome): Promise<string> {
    if (outcome.type !== 'SlugBuilt') throw new Error(`expected SlugBuilt, got BuildFailed: ${outcome.data.reason}`);
    const dir = await this.tempDir('paas-slug-');
    await this.blobs.verify(outcome.data.slug.blob);
    await tar.x({ file: this.blobs.localPath(outcome.data.slug.blob), cwd: dir });
    return dir;
  }
}
