import { randomBytes, randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { z } from 'zod';
import {
  appName, configVarName, CreateApp, DestroyApp, GetAppSetup, invalid, isPaasError, ListStaleAppSetups, RecordAppSetup, UpdateAppSetup,
  type AppSetupInfo, type BlobRef,
} from '@paas/contracts';
import { RpcClient } from '@paas/messaging';
import { addonPlansOf, parseAppJson, type AppJson } from '@paas/procfile';
import type { FileBlobStore } from '@paas/storage';
import { scopeOf, type Actor } from '../actor.js';
import { BuildsService, sourceBlob } from '../builds/builds.service.js';
import type { ApiSettings } from '../config.js';
import { presentTemplate, resolveSetupEnv } from '../domain/app-setup-env.js';
import { BLOBS, SETTINGS } from '../tokens.js';
import { AppSetupRunner } from './app-setup-runner.js';
import { appJsonOf } from './source-manifest.js';

const createBody = z.object({
  app: z.object({ name: appName.nullish() }).nullish(),
  source_blob: sourceBlob,
  overrides: z.object({ env: z.record(configVarName, z.string({ message: 'overrides.env values are strings' })).nullish() }).nullish(),
}, { message: 'Send {"source_blob": {"url": "https://.../source.tar.gz"}, "app": {"name": "..."}, "overrides": {"env": {...}}}.' });

/** A fresh `generator: "secret"` value: 32 random bytes as 64 hex digits. */
const newSecret = () => randomBytes(32).toString('hex');

/**
 * App setups (Heroku's /app-setups, the Deploy button): the source is downloaded once, its app.json
 * read and its env checked before anything is made; then the app is created and the rest runs in the
 * background (AppSetupRunner). Pending setups nobody works on any more are failed by a sweep.
 */
@Injectable()
export class AppSetupsService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('app-setups');
  private sweeper: NodeJS.Timeout | undefined;

  constructor(
    @Inject(SETTINGS) private readonly settings: ApiSettings,
    @Inject(BLOBS) private readonly blobs: FileBlobStore,
    private readonly rpc: RpcClient,
    private readonly builds: BuildsService,
    private readonly runner: AppSetupRunner,
  ) {}

  async create(actor: Actor, body: unknown, base: string) {
    const b = createBody.parse(body);
    const id = randomUUID();
    const source = await this.builds.fetchSource(b.source_blob, `sources/setups/${id}.tar.gz`);
    try {
      const manifest = await this.manifestOf(source);
      const env = resolveSetupEnv(manifest.env, b.overrides?.env ?? {}, newSecret);
      if (!env.ok) throw invalid(`app.json requires ${env.missing.join(', ')}: give ${env.missing.length > 1 ? 'them' : 'it'} in overrides.env ({"overrides": {"env": {"${env.missing[0]}": "..."}}}).`);
      const badName = Object.keys(env.config).find((k) => !configVarName.safeParse(k).success);
      if (badName !== undefined) throw invalid(`app.json: env.${badName}: not a valid config var name.`);
      const app = await this.rpc.request(CreateApp, { name: b.app?.name ?? undefined, by: actor.email });
      let setup: AppSetupInfo;
      try {
        setup = await this.rpc.request(RecordAppSetup, { id, app: { id: app.id, name: app.name }, by: actor.email, sourceUrl: b.source_blob.url });
      } catch (err) {
        await this.rpc.request(DestroyApp, { app: app.id, by: actor.email }).catch(() => undefined);
        throw err;
      }
      this.runner.start({
        setup, app, actor, config: env.config, addons: addonPlansOf(manifest), source, version: b.source_blob.version ?? null,
        postdeploy: manifest.scripts?.postdeploy?.trim() || null, successUrl: manifest.success_url ?? null,
      });
      return this.present(setup, base);
    } catch (err) {
      await this.blobs.delete(source.key);
      throw err;
    }
  }

  async get(actor: Actor, id: string, base: string) {
    const setupId = z.uuid({ message: 'an app setup id is a uuid' }).parse(id);
    return this.present(await this.rpc.request(GetAppSetup, { id: setupId, ...scopeOf(actor) }), base);
  }

  /** What the deploy page shows of a template tarball: its app.json, checked. */
  async template(url: unknown) {
    if (typeof url !== 'string' || url === '') throw invalid('Name the template: /deploy/template?url=<http(s) URL of a .tar.gz with an app.json>.');
    const blob = sourceBlob.parse({ url });
    const source = await this.builds.fetchSource(blob, `sources/templates/${randomUUID()}.tar.gz`);
    try {
      return presentTemplate(await this.manifestOf(source));
    } finally {
      await this.blobs.delete(source.key);
    }
  }

  onApplicationBootstrap(): void {
    void this.sweep();
    this.sweeper = setInterval(() => void this.sweep(), this.settings.appSetups.staleMs);
    this.sweeper.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.sweeper);
  }

  /**
   * Fails the pending setups nobody marked alive for PAAS_APP_SETUP_STALE_MS (the api running them
   * stopped): their apps are destroyed, so nothing half-configured stays.
   */
  async sweep(): Promise<void> {
    try {
      const stale = await this.rpc.request(ListStaleAppSetups, { updatedBefore: new Date(Date.now() - this.settings.appSetups.staleMs).toISOString() });
      for (const s of stale) {
        await this.rpc.request(DestroyApp, { app: s.app.id, by: s.by }, { timeoutMs: 120_000 }).catch((err) => {
          if (!isPaasError(err) || err.id !== 'not_found') throw err;
        });
        const secs = Math.round(this.settings.appSetups.staleMs / 1000);
        await this.rpc.request(UpdateAppSetup, { id: s.id, status: 'failed', failureMessage: `interrupted: the api running this setup stopped (no progress for ${secs} s); the app ${s.app.name} was destroyed. Start a new setup.` })
          .catch((err) => { if (!isPaasError(err) || err.id !== 'illegal_state') throw err; });
        this.log.warn(`app setup ${s.id} of ${s.app.name} was abandoned by a stopped api: failed, its app destroyed`);
      }
    } catch (err) {
      this.log.warn(`sweeping abandoned app setups failed, the next sweep tries again: ${(err as Error).message}`);
    }
  }

  /** The source's app.json (an empty manifest when it has none), or invalid_params naming what is wrong. */
  private async manifestOf(source: BlobRef): Promise<AppJson> {
    const text = await appJsonOf(await this.blobs.get(source));
    if (text === undefined) return {};
    const parsed = parseAppJson(text);
    if (!parsed.ok) throw invalid(`${parsed.error}. Fix app.json in the source and try again.`);
    return parsed.appJson;
  }

  /** Heroku's app-setup shape. */
  private present(s: AppSetupInfo, base: string) {
    return {
      id: s.id,
      created_at: s.createdAt,
      updated_at: s.updatedAt,
      status: s.status,
      failure_message: s.failureMessage,
      app: { id: s.app.id, name: s.app.name },
      build: s.build ? { id: s.build.id, status: s.build.status, output_stream_url: this.builds.outputUrl(base, s.app.id, s.build.id) } : null,
      manifest_errors: s.manifestErrors,
      postdeploy: s.postdeploy ? { output: s.postdeploy.output, exit_code: s.postdeploy.exitCode } : null,
      resolved_success_url: s.resolvedSuccessUrl,
    };
  }
}
