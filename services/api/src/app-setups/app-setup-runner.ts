import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  CreateAddon, DestroyApp, GetFormation, isPaasError, RunDyno, SetConfigVars, StopDynos, UpdateAppSetup,
  type AnyEvent, type AppInfo, type AppSetupInfo, type BlobRef, type EventByType, type Names, type RequestOf,
} from '@paas/contracts';
import { BuildOutput, NAMES, NATS_CONNECTION, RpcClient, type NatsConnection } from '@paas/messaging';
import { scopeOf, type Actor } from '../actor.js';
import { BuildsService } from '../builds/builds.service.js';
import type { ApiSettings } from '../config.js';
import { webUrl } from '../domain/presenters.js';
import { EventWaiter } from '../git/event-waiter.js';
import { SETTINGS } from '../tokens.js';
import { OneOffOutput } from './one-off-output.js';

/** What a setup needs once its app exists: everything checked before the app was made. */
export interface SetupJob {
  setup: AppSetupInfo;
  app: AppInfo;
  actor: Actor;
  config: Record<string, string>;
  addons: string[];
  source: BlobRef;
  version: string | null;
  postdeploy: string | null;
  successUrl: string | null;
}

const ADDON_TIMEOUT_MS = 120_000;
const RELEASE_TIMEOUT_MS = 60_000;
/** The dyno-manager may hear of the new release a moment after the release service made it. */
const RUN_RETRY_MS = 60_000;
/** Lines a postdeploy's output keeps (the last ones). */
const OUTPUT_LINES = 2000;
/** ...and at most this many characters (the last ones). */
const OUTPUT_CHARS = 64 * 1024;

/** A step that failed, with the reason users read in failure_message. */
class StepFailed extends Error {}

/**
 * Runs an app setup after its app was made, top to bottom: config vars, add-ons, build, release,
 * dynos up, postdeploy. Each step is recorded on the setup (kept by the release service); the
 * first that fails destroys the app (add-ons included) and fails the setup naming the step.
 */
@Injectable()
export class AppSetupRunner {
  private readonly log = new Logger('app-setups');
  private readonly output: BuildOutput;
  private readonly running = new Set<Promise<void>>();

  constructor(
    @Inject(SETTINGS) private readonly settings: ApiSettings,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(NAMES) private readonly names: Names,
    private readonly rpc: RpcClient,
    private readonly builds: BuildsService,
  ) {
    this.output = new BuildOutput(nc, names);
  }

  /** Starts the setup in the background; its record tells how it goes. */
  start(job: SetupJob): void {
    const run = this.run(job).finally(() => this.running.delete(run));
    this.running.add(run);
  }

  private async run(job: SetupJob): Promise<void> {
    const { setup, app } = job;
    // Marks the setup alive, so another api's sweep does not take it for abandoned.
    const alive = setInterval(() => void this.update({ id: setup.id }).catch(() => undefined), Math.max(1000, Math.floor(this.settings.appSetups.staleMs / 4)));
    const events = EventWaiter.open(this.nc, this.names, app.id);
    const oneOffs = OneOffOutput.open(this.nc, this.names, app.id, OUTPUT_LINES);
    let step = 'setting config vars';
    try {
      if (Object.keys(job.config).length > 0) await this.rpc.request(SetConfigVars, { app: app.id, changes: job.config, by: job.actor.email, ...scopeOf(job.actor) });
      step = 'provisioning add-ons';
      await this.provision(job);
      step = 'building';
      const release = await this.build(job, events);
      step = 'starting dynos';
      await this.dynosUp(job, release, events);
      step = 'running postdeploy';
      if (job.postdeploy) await this.postdeploy(job, job.postdeploy, events, oneOffs);
      const url = new URL(job.successUrl ?? '/', webUrl(this.settings, app.name)).toString();
      await this.update({ id: setup.id, status: 'succeeded', resolvedSuccessUrl: url });
      this.log.log(`app setup ${setup.id} of ${app.name} succeeded`);
    } catch (err) {
      await this.fail(job, step, err);
    } finally {
      clearInterval(alive);
      events.close();
      oneOffs.close();
    }
  }

  private async provision(job: SetupJob): Promise<void> {
    for (const plan of job.addons) {
      const a = await this.rpc.request(CreateAddon, { app: job.app.id, plan, by: job.actor.email, ...scopeOf(job.actor) }, { timeoutMs: ADDON_TIMEOUT_MS });
      if (a.state !== 'provisioned') throw new StepFailed(`${plan} is ${a.state}${a.provisionMessage ? ` (${a.provisionMessage})` : ''}`);
    }
  }

  /** Builds the stored source through the usual SourcePushed path; answers the release it made. */
  private async build(job: SetupJob, events: EventWaiter): Promise<EventByType<'ReleaseCreated'>> {
    const buildId = randomUUID();
    await this.builds.startBuild(job.app, buildId, job.source, job.version, job.actor.email);
    await this.update({ id: job.setup.id, build: { id: buildId, status: 'pending' } });
    let outcome: 'succeeded' | 'failed' | undefined;
    for await (const item of this.output.read(buildId)) if ('end' in item) outcome = item.end;
    await this.update({ id: job.setup.id, build: { id: buildId, status: outcome ?? 'failed' } });
    if (outcome !== 'succeeded') {
      const failed = await events.next((e): e is EventByType<'BuildFailed'> => e.type === 'BuildFailed' && e.data.buildId === buildId, 5_000);
      throw new StepFailed(failed ? `the build failed: ${failed.data.reason}` : outcome ? 'the build failed (see its output)' : 'the build stopped sending output');
    }
    const release = await events.next((e): e is EventByType<'ReleaseCreated'> => e.type === 'ReleaseCreated' && e.data.buildId === buildId, RELEASE_TIMEOUT_MS);
    if (!release) throw new StepFailed(`the build succeeded but no release was made within ${RELEASE_TIMEOUT_MS / 1000} s`);
    if (release.data.slug?.processTypes.release) {
      const isMine = (e: AnyEvent): e is EventByType<'ReleaseStatusChanged'> => e.type === 'ReleaseStatusChanged' && e.data.version === release.data.version;
      const done = await events.next(isMine, this.settings.pushVerifyTimeoutMs);
      if (!done) throw new StepFailed(`the release command of v${release.data.version} did not finish in time`);
      if (done.data.status === 'failed') throw new StepFailed(`the release command failed (${done.data.exitCode === null ? 'it did not run to the end' : `exit status ${done.data.exitCode}`})`);
    }
    return release;
  }

  /** Waits until a web dyno of the release is up (app.json's formation was applied with the release). */
  private async dynosUp(job: SetupJob, release: EventByType<'ReleaseCreated'>, events: EventWaiter): Promise<void> {
    if (!release.data.slug?.processTypes.web) return;
    const formation = await this.rpc.request(GetFormation, { app: job.app.id });
    if (!formation.some((f) => f.type === 'web' && f.quantity > 0)) return;
    const version = release.data.version;
    const isUp = (e: AnyEvent): e is EventByType<'DynoStateChanged'> => e.type === 'DynoStateChanged' && e.data.dyno.type === 'web' && e.data.dyno.releaseVersion === version && (e.data.to === 'up' || e.data.to === 'crashed');
    const seen = await events.next(isUp, this.settings.pushVerifyTimeoutMs);
    if (!seen) throw new StepFailed(`no web dyno of v${version} was up within ${Math.round(this.settings.pushVerifyTimeoutMs / 1000)} s`);
    if (seen.data.to === 'crashed') throw new StepFailed(`the web dyno crashed on start (${seen.data.reason ?? `exit ${seen.data.exitCode}`})`);
  }

  /** Runs scripts.postdeploy once in a one-off dyno; records its output and exit status. */
  private async postdeploy(job: SetupJob, command: string, events: EventWaiter, oneOffs: OneOffOutput): Promise<void> {
    const dyno = await this.runOneOff(job, command);
    const isDone = (e: AnyEvent): e is EventByType<'DynoStateChanged'> => e.type === 'DynoStateChanged' && e.data.dyno.id === dyno.id && e.data.to === 'down';
    const done = await events.next(isDone, this.settings.appSetups.postdeployTimeoutMs);
    if (!done) {
      await this.rpc.request(StopDynos, { appId: job.app.id, name: dyno.name, by: job.actor.email }).catch(() => undefined);
      throw new StepFailed(`${dyno.name} did not finish within ${Math.round(this.settings.appSetups.postdeployTimeoutMs / 1000)} s`);
    }
    const lines = await oneOffs.of(dyno.name, 10_000);
    const exitCode = done.data.exitCode ?? -1;
    await this.update({ id: job.setup.id, postdeploy: { output: lines.join('\n').slice(-OUTPUT_CHARS), exitCode } });
    if (done.data.exitCode === null) throw new StepFailed(`${dyno.name} did not run to the end (${done.data.reason ?? 'stopped'})`);
    if (exitCode !== 0) throw new StepFailed(`the postdeploy script exited with status ${exitCode}`);
  }

  private async runOneOff(job: SetupJob, command: string) {
    const deadline = Date.now() + RUN_RETRY_MS;
    for (;;) {
      try {
        return await this.rpc.request(RunDyno, { appId: job.app.id, command, by: job.actor.email });
      } catch (err) {
        if (!isPaasError(err) || err.id !== 'illegal_state' || Date.now() > deadline) throw err;
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }

  /** Destroys the setup's app (its add-ons go with it), then records the failure naming the step. */
  private async fail(job: SetupJob, step: string, err: unknown): Promise<void> {
    const reason = err instanceof StepFailed || isPaasError(err) ? (err as Error).message : `${(err as Error).message ?? err}`;
    if (!(err instanceof StepFailed) && !isPaasError(err)) this.log.error(`app setup ${job.setup.id}: ${step} failed: ${(err as Error).stack ?? err}`);
    const destroyed = await this.rpc.request(DestroyApp, { app: job.app.id, by: job.actor.email }, { timeoutMs: ADDON_TIMEOUT_MS }).then(() => '', (e: Error) => {
      if (isPaasError(e) && e.id === 'not_found') return '';
      this.log.warn(`app setup ${job.setup.id}: destroying ${job.app.name} failed: ${e.message}`);
      return ` The app ${job.app.name} could not be destroyed (${e.message}): destroy it with paas apps:destroy.`;
    });
    const message = `${step} failed: ${reason.replace(/\.$/, '')}.${destroyed}`;
    await this.update({ id: job.setup.id, status: 'failed', failureMessage: message.slice(0, 4000) })
      .catch((e: Error) => this.log.error(`app setup ${job.setup.id} failed (${message}) but recording it failed: ${e.message}`));
    this.log.warn(`app setup ${job.setup.id} of ${job.app.name} failed: ${message}`);
  }

  private update(change: RequestOf<typeof UpdateAppSetup>): Promise<AppSetupInfo> {
    return this.rpc.request(UpdateAppSetup, change);
  }
}
