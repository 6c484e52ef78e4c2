import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Inject, Injectable } from '@nestjs/common';
import { z } from 'zod';
import {
  GetApp, GetBuild, GetConfigVars, invalid, isPaasError, ListBuilds, ListReleases, notFound, PurgeBuildCache, SourcePushed, type AppInfo, type BlobRef, type BuildInfo,
} from '@paas/contracts';
import { BuildOutput, EventPublisher, NAMES, NATS_CONNECTION, RpcClient, type NatsConnection } from '@paas/messaging';
import type { FileBlobStore } from '@paas/storage';
import type { Names } from '@paas/contracts';
import { scopeOf, type Actor } from '../actor.js';
import { presentBuild } from '../domain/presenters.js';
import { BLOBS } from '../tokens.js';
import { AddressGuard } from '../net/address-guard.js';
import { guardedGet } from './guarded-download.js';
import { SourceUploads } from './source-uploads.js';

/** Heroku's source_blob: a URL of a .tar.gz of the source, with an optional version and checksum. */
export const sourceBlob = z.object({
  url: z.url({ protocol: /^https?$/, message: 'source_blob.url must be an http(s) URL of a .tar.gz of the source' }),
  version: z.string().max(200).nullish(),
  checksum: z.string().regex(/^SHA256:[0-9a-fA-F]{64}$/, 'source_blob.checksum must look like SHA256:<64 hex digits>').nullish(),
}, { message: 'source_blob is required: {"source_blob": {"url": "https://.../source.tar.gz", "version": "v1"}}' });

const createBody = z.object({ source_blob: sourceBlob }, { message: 'Send {"source_blob": {"url": "...", "version": "..."}}.' });

const DOWNLOAD_TIMEOUT_MS = 5 * 60_000;
/** How long the output URL of a build waits for the builder to record it (it was just queued). */
const OUTPUT_WAIT_MS = 10_000;

/** The Build API: builds from a source URL, their output stream, uploads through /sources, cache purge. */
@Injectable()
export class BuildsService {
  private readonly output: BuildOutput;
  readonly uploads: SourceUploads;

  constructor(
    @Inject(BLOBS) private readonly blobs: FileBlobStore,
    @Inject(NATS_CONNECTION) nc: NatsConnection,
    @Inject(NAMES) names: Names,
    private readonly publisher: EventPublisher,
    private readonly rpc: RpcClient,
    private readonly addresses: AddressGuard,
  ) {
    this.output = new BuildOutput(nc, names);
    this.uploads = new SourceUploads(blobs);
  }

  /** Downloads the source tarball, stores it and queues its build; answers the pending build. */
  async create(actor: Actor, app: string, body: unknown, base: string) {
    const b = createBody.parse(body);
    const a = await this.appOf(actor, app);
    const buildId = randomUUID();
    const source = await this.fetchSource(b.source_blob, `sources/${a.id}/${buildId}.tar.gz`);
    const pending = await this.startBuild(a, buildId, source, b.source_blob.version ?? null, actor.email);
    return { ...this.present(a, pending, base, null), source_blob: { url: b.source_blob.url, version: pending.commit, checksum: b.source_blob.checksum ?? null, version_description: null } };
  }

  /** Downloads a source_blob into the blob store under `key`, checking its checksum when one is given. */
  async fetchSource(blob: { url: string; checksum?: string | null }, key: string): Promise<BlobRef> {
    const source = await this.download(blob.url, key);
    if (blob.checksum && `sha256:${blob.checksum.slice(7).toLowerCase()}` !== source.checksum) {
      await this.blobs.delete(source.key);
      throw invalid(`The source at source_blob.url has checksum SHA256:${source.checksum.slice(7)}, not the ${blob.checksum} given.`);
    }
    return source;
  }

  /** Queues the build of a stored source (SourcePushed, with the app's config vars); answers it pending. */
  async startBuild(a: AppInfo, buildId: string, source: BlobRef, version: string | null, by: string): Promise<BuildInfo> {
    const config = await this.rpc.request(GetConfigVars, { app: a.id });
    await this.publisher.publish(SourcePushed, { appName: a.name, buildId, source, commit: version, ref: null, by, config }, { appId: a.id, correlationId: buildId });
    const now = new Date().toISOString();
    return { id: buildId, appId: a.id, status: 'pending', commit: version, by, createdAt: now, updatedAt: now, slugId: null, buildpack: null, reason: null };
  }

  /** Where a build's output streams (public: the URL is unguessable). */
  outputUrl(base: string, appId: string, buildId: string): string {
    return `${base}/build-output/${appId}/${buildId}`;
  }

  async list(actor: Actor, app: string, base: string) {
    const a = await this.appOf(actor, app);
    const [builds, releases] = await Promise.all([this.rpc.request(ListBuilds, { appId: a.id }), this.rpc.request(ListReleases, { app: a.id, ...scopeOf(actor) })]);
    return builds.map((b) => this.present(a, b, base, releases.find((r) => r.buildId === b.id) ?? null));
  }

  async get(actor: Actor, app: string, id: string, base: string) {
    const a = await this.appOf(actor, app);
    const buildId = z.uuid({ message: 'a build id is a uuid' }).parse(id);
    const [build, releases] = await Promise.all([this.rpc.request(GetBuild, { appId: a.id, buildId }), this.rpc.request(ListReleases, { app: a.id, ...scopeOf(actor) })]);
    return this.present(a, build, base, releases.find((r) => r.buildId === build.id) ?? null);
  }

  /** Heroku's DELETE /apps/:app/build-cache (heroku builds:cache:purge). */
  async purgeCache(actor: Actor, app: string) {
    const a = await this.appOf(actor, app);
    const { purged } = await this.rpc.request(PurgeBuildCache, { appId: a.id });
    return { app: { id: a.id, name: a.name }, purged };
  }

  /**
   * The build's output lines, from the first, as they come, until the build ends: live while it
   * runs, a replay afterwards. not_found for a build the builder never recorded.
   */
  async *outputOf(appId: string, buildId: string): AsyncGenerator<string> {
    if (!z.uuid().safeParse(appId).success || !z.uuid().safeParse(buildId).success) throw notFound("Couldn't find that build.");
    await this.awaitRecorded(appId, buildId);
    for await (const item of this.output.read(buildId)) {
      if ('end' in item) return;
      yield item.line;
    }
  }

  private async awaitRecorded(appId: string, buildId: string): Promise<void> {
    const deadline = Date.now() + OUTPUT_WAIT_MS;
    for (;;) {
      const found = await this.rpc.request(GetBuild, { appId, buildId }).then(() => true, (err) => {
        if ((err as { id?: string }).id === 'not_found') return false;
        throw err;
      });
      if (found) return;
      if (Date.now() > deadline) throw notFound("Couldn't find that build.");
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  private present(a: AppInfo, b: BuildInfo, base: string, release: { id: string; version: number } | null) {
    return {
      ...presentBuild(a, b),
      output_stream_url: this.outputUrl(base, a.id, b.id),
      release: release ? { id: release.id, version: release.version } : null,
    };
  }

  private appOf(actor: Actor, app: string): Promise<AppInfo> {
    return this.rpc.request(GetApp, { app, ...scopeOf(actor) });
  }

  /**
   * Stores the tarball at `url`: this api's own /sources get_url is read from the blob store; any
   * other URL is fetched through the address guard (PAAS_SOURCE_ALLOWED_HOSTS), redirects included.
   */
  private async download(url: string, key: string) {
    const u = new URL(url);
    const upload = /^\/sources\/([0-9a-f]{64})$/.exec(u.pathname);
    if (upload && await this.addresses.isOwnApi(u)) return this.blobs.put(key, (await this.uploads.get(upload[1]!)).stream);
    let res: IncomingMessage;
    try {
      res = await guardedGet(u, (hop) => this.addresses.checkSource(hop), AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS));
    } catch (err) {
      if (isPaasError(err)) throw err;
      throw invalid(`Could not download source_blob.url (${(err as Error).message}); check that it is reachable from the platform.`);
    }
    if ((res.statusCode ?? 0) < 200 || (res.statusCode ?? 0) > 299) {
      res.resume();
      throw invalid(`Could not download source_blob.url: it answered HTTP ${res.statusCode}.`);
    }
    return this.blobs.put(key, res);
  }

}
