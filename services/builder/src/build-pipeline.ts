import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { BuildFailed, BuildStarted, SlugBuilt, SourcePushed, type BlobRef, type EventOf, type Slug } from '@paas/contracts';
import { BuildOutput, EventPublisher, makeEnvelope, type PublishOptions } from '@paas/messaging';
import type { FileBlobStore } from '@paas/storage';
import { inSpan, trace } from '@paas/telemetry';
import { readAppFiles } from './adapters/app-files.js';
import { BuildAppLog } from './adapters/app-log.js';
import type { BuildCache } from './adapters/build-cache.js';
import { BuildFiles } from './adapters/build-files.js';
import { BuildPlaces } from './adapters/build-places.js';
import type { BuildIndex } from './adapters/build-index.js';
import { BuildLog } from './adapters/build-log.js';
import { BuildRecords, type BuildOutcomeEvent } from './adapters/build-records.js';
import { removeAppLeftovers } from './adapters/app-leftovers.js';
import { HostSandbox } from './adapters/host-sandbox.js';
import { applySlugIgnore } from './adapters/slug-ignore.js';
import { packSlug, unpackSource } from './adapters/source-archive.js';
import { compile } from './buildpacks/compile.js';
import type { CompileResult } from './buildpacks/context.js';
import type { BuilderSettings } from './config.js';
import { BuildError, isBuildError } from './domain/build-error.js';
import { describeAppJson, parseAppJson } from './domain/app-json.js';
import { detect, type AppFiles, type Detection } from './domain/detect.js';
import { requestedAddons } from './domain/addon-requests.js';
import { derivedId } from './domain/ids.js';
import { checkSlugSize, formatSize, STACK, STACK_TITLE } from './domain/output.js';
import { describeProcessTypes, resolveProcessTypes, type ResolvedProcessTypes } from './domain/process-types.js';
import { BLOBS, BUILD_CACHE, BUILD_INDEX, BUILD_OUTPUT, BUILD_RECORDS, SETTINGS } from './tokens.js';

type Pushed = EventOf<typeof SourcePushed>;

/**
 * source tarball -> unpack -> detect -> compile -> slug -> SlugBuilt | BuildFailed.
 * One build reads top to bottom in build(); the app's faults become a BuildFailed with the reason
 * shown to the pusher, while failures to talk to NATS or to record the outcome throw, so the
 * SourcePushed is redelivered.
 */
@Injectable()
export class BuildPipeline implements OnModuleDestroy {
  private readonly log = new Logger('build');
  private readonly tracer = trace.getTracer('builder');
  private readonly places: BuildPlaces;

  constructor(
    @Inject(SETTINGS) private readonly settings: BuilderSettings,
    @Inject(BLOBS) private readonly blobs: FileBlobStore,
    @Inject(BUILD_OUTPUT) private readonly output: BuildOutput,
    @Inject(BUILD_RECORDS) private readonly records: BuildRecords,
    @Inject(BUILD_INDEX) private readonly index: BuildIndex,
    @Inject(BUILD_CACHE) private readonly cache: BuildCache,
    private readonly publisher: EventPublisher,
    private readonly appLog: BuildAppLog,
  ) {
    this.places = new BuildPlaces(settings, cache);
  }

  /** Builds a pushed source once; a redelivered push re-announces the recorded outcome instead. */
  async onSourcePushed(pushed: Pushed): Promise<void> {
    const recorded = await this.records.get(pushed.data.buildId);
    if (recorded) {
      this.log.log(`build ${pushed.data.buildId} of ${pushed.data.appName} already finished (${recorded.type}); announcing it again`);
      return this.announce(recorded);
    }
    const { buildId, commit, by } = pushed.data;
    const started = new Date().toISOString();
    const entry = { id: buildId, appId: pushed.appId, commit, by, createdAt: started, slugId: null, buildpack: null, reason: null };
    await this.index.put({ ...entry, status: 'pending', updatedAt: started });
    const outcome = await this.build(pushed);
    await this.records.put(outcome);
    await this.index.put({
      ...entry, updatedAt: new Date().toISOString(),
      ...(outcome.type === 'SlugBuilt'
        ? { status: 'succeeded', slugId: outcome.data.slug.id, buildpack: outcome.data.slug.buildpack }
        : { status: 'failed', reason: outcome.data.reason }),
    });
    await this.announce(outcome);
    this.appLog.write(pushed.appId, outcome.type === 'SlugBuilt' ? 'Build succeeded' : 'Build failed');
  }

  /** One build, top to bottom. */
  private async build(pushed: Pushed): Promise<BuildOutcomeEvent> {
    const { appName, buildId, commit, source } = pushed.data;
    const meta: PublishOptions = { appId: pushed.appId, causationId: pushed.id, correlationId: pushed.correlationId };
    const out = new BuildLog(this.output, buildId);
    const started = Date.now();
    await this.publisher.publish(BuildStarted, { appName, buildId, commit }, { ...meta, id: derivedId(buildId, BuildStarted.type) });
    this.appLog.write(pushed.appId, `Build started by user ${pushed.data.by}`);
    const workDir = await this.makeWorkDir(buildId);
    const dir = join(workDir, 'app');
    const deadline = deadlineAfter(this.settings.buildTimeoutMs);
    try {
      out.header(STACK_TITLE);
      await this.step('fetching the source', () => this.unpack(source, dir));
      const ignored = await this.step('applying .slugignore', () => applySlugIgnore(dir));
      const { files, plan, processTypes, appJson } = await this.step('detecting the buildpack', () => detectApp(dir, out));
      if (ignored) out.detail(`Removed ${ignored} path${ignored === 1 ? '' : 's'} listed in .slugignore`);
      const compiled = await this.step('compiling', () => this.compileIn(pushed, workDir, files, plan, deadline.signal, out));
      const types: ResolvedProcessTypes = compiled.processTypes ? { processTypes: compiled.processTypes, source: 'heroku.yml' } : processTypes!;
      out.header('Discovering process types');
      out.detail(...describeProcessTypes(types));
      if (appJson) out.detail(...describeAppJson(appJson, types.processTypes));
      out.header('Compressing...');
      const { slugId, ref } = await this.step('storing the slug', () => this.storeSlug(pushed.appId, dir, out));
      const slug: Slug = {
        id: slugId, blob: ref, processTypes: { ...types.processTypes }, commit, buildpack: plan.buildpack, stack: STACK,
        ...(compiled.images ? { images: { ...compiled.images } } : {}),
        ...(appJson?.formation ? { formation: appJson.formation } : {}),
      };
      await out.flush();
      this.log.log(`build ${buildId} of ${appName} succeeded in ${Date.now() - started} ms (${plan.buildpack}, slug ${formatSize(ref.size)})`);
      const addons = requestedAddons(files, plan);
      return makeEnvelope(SlugBuilt, { appName, buildId, slug, ...(addons.length > 0 ? { addons } : {}) }, meta);
    } catch (err) {
      const reason = failureReason(err);
      out.problem(reason, ...(isBuildError(err) ? err.details : []));
      await out.flush();
      this.log.warn(`build ${buildId} of ${appName} failed after ${Date.now() - started} ms: ${reason}`);
      return makeEnvelope(BuildFailed, { appName, buildId, commit, reason }, meta);
    } finally {
      deadline.clear();
      await rm(workDir, { recursive: true, force: true });
    }
  }

  /** Runs the buildpack in its sandbox (host or stack container), which goes when the build ends. */
  private async compileIn(pushed: Pushed, workDir: string, files: AppFiles, plan: Detection, signal: AbortSignal, out: BuildLog): Promise<CompileResult> {
    const { appName, buildId, config } = pushed.data;
    const dir = join(workDir, 'app');
    const scratch = join(workDir, 'scratch');
    const site = { appId: pushed.appId, appName, buildId, dir, scratch };
    const sandbox = plan.buildpack === 'docker' ? new HostSandbox() : await this.places.sandboxFor(site, out);
    const imageBuild = plan.buildpack === 'docker' ? await this.places.imageBuildPlace() : undefined;
    try {
      return await compile(plan, {
        ...(imageBuild ? { imageBuild } : {}),
        appId: pushed.appId, appName, buildId, dir, scratch, files, config, signal, out, sandbox,
        cache: await this.cache.forBuild(pushed.appId, sandbox, signal, (line) => out.detail(line)), tree: new BuildFiles(sandbox, signal),
        // HOME is the build's scratch dir, so tools write their dotfiles there and nowhere else.
        run: (argv, env, onLine = (line) => out.detail(line)) =>
          sandbox.run(argv, { cwd: dir, env: { ...env, HOME: sandbox.at(scratch), TMPDIR: sandbox.at(scratch) }, signal, onLine }),
      });
    } finally {
      await sandbox.close();
    }
  }

  /** Stops the builds' egress proxy. */
  async onModuleDestroy(): Promise<void> {
    await this.places.close();
  }

  /** Empties an app's build cache (Build API / paas builds:cache:purge). */
  purgeCache(appId: string): Promise<boolean> {
    return this.cache.purge(appId);
  }

  /** Removes what a destroyed app left: its build cache and its images. */
  forgetApp(appId: string, appName: string): Promise<void> {
    return removeAppLeftovers(this.cache, appId, appName);
  }

  /** Ends the build output, then publishes the outcome: the api reads the output up to its end first. */
  private async announce(outcome: BuildOutcomeEvent): Promise<void> {
    await new BuildLog(this.output, outcome.data.buildId).end(outcome.type === 'SlugBuilt' ? 'succeeded' : 'failed');
    if (outcome.type === 'SlugBuilt') await this.publisher.publishEnvelope(SlugBuilt, outcome);
    else await this.publisher.publishEnvelope(BuildFailed, outcome);
  }

  private async makeWorkDir(buildId: string): Promise<string> {
    const tmp = join(this.settings.dataDir, 'tmp');
    await mkdir(tmp, { recursive: true });
    const dir = await mkdtemp(join(tmp, `build-${buildId.slice(0, 8)}-`));
    await mkdir(join(dir, 'app'));
    await mkdir(join(dir, 'scratch'));
    return dir;
  }

  /** Checks the source against its checksum, then unpacks it; a missing or damaged source fails the build. */
  private async unpack(source: BlobRef, dir: string): Promise<void> {
    try {
      await this.blobs.verify(source);
    } catch (err) {
      throw new BuildError(`The pushed source could not be read (${(err as Error).message}); push again`);
    }
    await unpackSource(await this.blobs.get(source), dir);
  }

  /** Packs the built app dir and stores it as slugs/<appId>/<slugId>.tgz. */
  private async storeSlug(appId: string, dir: string, out: BuildLog): Promise<{ slugId: string; ref: BlobRef }> {
    const slugId = randomUUID();
    const ref = await this.blobs.put(`slugs/${appId}/${slugId}.tgz`, packSlug(dir));
    try {
      const warning = checkSlugSize(ref.size, this.settings.maxSlugMb);
      if (warning) out.problem(warning);
    } catch (err) {
      await this.blobs.delete(ref.key);
      throw err;
    }
    out.detail(`Done: ${formatSize(ref.size)}`);
    return { slugId, ref };
  }

  /** Runs one named step in its own span; an unexpected error says which step it broke. */
  private step<T>(doing: string, fn: () => Promise<T>): Promise<T> {
    return inSpan(this.tracer, `build: ${doing}`, {}, async () => {
      try {
        return await fn();
      } catch (err) {
        if (isBuildError(err)) throw err;
        throw new Error(`${doing}: ${(err as Error).message}`, { cause: err });
      }
    });
  }
}

/** Reads the tree, picks the buildpack and its process types, and says so in the output. */
async function detectApp(dir: string, out: BuildLog) {
  const files = await readAppFiles(dir);
  const plan: Detection = detect(files);
  out.header(`${plan.label} app detected`);
  out.detail(...plan.notes);
  const appJson = files.appJson !== undefined ? parseAppJson(files.appJson) : undefined;
  // The Procfile is checked before compiling, so a typo fails in a second, not after npm install.
  const processTypes = plan.buildpack === 'docker' ? undefined : resolveProcessTypes(files.procfile, plan.defaultProcessTypes);
  return { files, plan, processTypes, appJson };
}

function failureReason(err: unknown): string {
  if (isBuildError(err)) return err.message;
  return `The builder failed while ${(err as Error).message}. Push again; if it fails the same way, see the builder's log.`;
}

/** An abort signal that fires when the build's time is up, with the reason the pusher reads. */
function deadlineAfter(ms: number): { signal: AbortSignal; clear: () => void } {
  const ctl = new AbortController();
  const limit = ms % 60_000 === 0 ? `${ms / 60_000} minutes` : `${ms} ms`;
  const timer = setTimeout(() => ctl.abort(new Error(`the build ran past its time limit of ${limit} (PAAS_BUILD_TIMEOUT_MS)`)), ms);
  return { signal: ctl.signal, clear: () => clearTimeout(timer) };
}
