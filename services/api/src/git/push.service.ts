import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  GetConfigVars, GetFormation, SourcePushed, type AnyEvent, type EventByType, type Names,
} from '@paas/contracts';
import { BuildOutput, EventPublisher, NAMES, NATS_CONNECTION, RpcClient, type NatsConnection } from '@paas/messaging';
import type { FileBlobStore } from '@paas/storage';
import { SETTINGS, BLOBS } from '../tokens.js';
import type { ApiSettings } from '../config.js';
import { webUrl } from '../domain/presenters.js';
import { EventWaiter } from './event-waiter.js';
import { ReleasePhaseOutput } from './release-phase-output.js';

/** Who pushed to which app; registered for the lifetime of one git receive-pack. */
export interface PushSession {
  appId: string;
  appName: string;
  by: string;
}

export type Say = (line: string) => void;

const RELEASE_TIMEOUT_MS = 60_000;

/**
 * One deploy by git push, top to bottom: store the source, announce it, relay the build output,
 * wait for the release, then for the new web dynos. Returns the hook's exit status.
 */
@Injectable()
export class PushService {
  private readonly log = new Logger('push');
  private readonly output: BuildOutput;

  constructor(
    @Inject(SETTINGS) private readonly settings: ApiSettings,
    @Inject(BLOBS) private readonly blobs: FileBlobStore,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(NAMES) private readonly names: Names,
    private readonly publisher: EventPublisher,
    private readonly rpc: RpcClient,
  ) {
    this.output = new BuildOutput(nc, names);
  }

  async deploy(push: PushSession, ref: string, commit: string, archive: Readable, say: Say): Promise<number> {
    const buildId = randomUUID();
    say('Building source:');
    const source = await this.blobs.put(`sources/${push.appId}/${buildId}.tar.gz`, archive);
    const config = await this.rpc.request(GetConfigVars, { app: push.appId });
    const events = EventWaiter.open(this.nc, this.names, push.appId);
    const phaseOutput = ReleasePhaseOutput.open(this.nc, this.names, push.appId);
    try {
      await this.publisher.publish(SourcePushed, {
        appName: push.appName, buildId, source, commit, ref, by: push.by, config,
      }, { appId: push.appId, correlationId: buildId });
      this.log.log(`build ${buildId} of ${push.appName} ${commit.slice(0, 7)} queued`);
      const outcome = await this.relayOutput(buildId, say);
      if (outcome !== 'succeeded') {
        say(' !     Push rejected, failed to compile the app.');
        return 1;
      }
      const release = await events.next((e): e is EventByType<'ReleaseCreated'> => e.type === 'ReleaseCreated' && e.data.buildId === buildId, RELEASE_TIMEOUT_MS);
      if (!release) {
        say(' !     The build succeeded but no release was made within 60 s; check `paas releases` before pushing again.');
        return 1;
      }
      const processTypes = release.data.slug?.processTypes ?? {};
      say('-----> Launching...');
      if (processTypes.release) say(' !     Release command declared: this new release will not be available until the command succeeds.');
      say(`       Released v${release.data.version}`);
      say(`       ${webUrl(this.settings, push.appName)} deployed to the platform`);
      if (processTypes.release && !await this.releasePhase(release.data.version, events, phaseOutput, say)) return 0;
      await this.verify(push, release.data.version, processTypes, events, say);
      return 0;
    } finally {
      events.close();
      phaseOutput.close();
    }
  }

  /**
   * Shows the release command's output and outcome; false when it failed. The push still succeeds
   * then, as on Heroku: the build is kept, only the release was not deployed.
   */
  private async releasePhase(version: number, events: EventWaiter, output: ReleasePhaseOutput, say: Say): Promise<boolean> {
    say('Running release command...');
    const isMine = (e: AnyEvent): e is EventByType<'ReleaseStatusChanged'> => e.type === 'ReleaseStatusChanged' && e.data.version === version;
    const done = await events.next(isMine, this.settings.pushVerifyTimeoutMs);
    if (!done) {
      say('Waiting for release.... still running; `paas releases` shows when it ends.');
      return false;
    }
    say('');
    for (const line of output.of(done.data.dyno)) say(line);
    say('');
    if (done.data.status === 'succeeded') {
      say('Waiting for release.... done.');
      return true;
    }
    say('Waiting for release.... failed.');
    const why = done.data.exitCode === null ? 'it did not run to the end' : `exit status ${done.data.exitCode}`;
    say(` !     Release command failed (${why}): v${version} was not deployed and the previous release keeps running. See \`paas logs\`.`);
    return false;
  }

  private async relayOutput(buildId: string, say: Say): Promise<string> {
    for await (const item of this.output.read(buildId)) {
      if ('end' in item) return item.end;
      say(item.line);
    }
    return 'failed';
  }

  /** Waits until a web dyno of the new release is up, so the app answers when the push ends. */
  private async verify(push: PushSession, version: number, processTypes: Record<string, string>, events: EventWaiter, say: Say): Promise<void> {
    if (!processTypes.web) return;
    const formation = await this.rpc.request(GetFormation, { app: push.appId });
    if (!formation.some((f) => f.type === 'web' && f.quantity > 0)) return;
    const isUp = (e: AnyEvent) => e.type === 'DynoStateChanged' && e.data.dyno.type === 'web' && e.data.dyno.releaseVersion === version && (e.data.to === 'up' || e.data.to === 'crashed');
    const seen = await events.next(isUp, this.settings.pushVerifyTimeoutMs) as EventByType<'DynoStateChanged'> | undefined;
    if (seen?.data.to === 'up') say('Verifying deploy... done.');
    else if (seen) say(` !     web dyno crashed on start (${seen.data.reason ?? `exit ${seen.data.exitCode}`}); see \`paas logs\`.`);
    else say('Verifying deploy... still starting; `paas ps` shows when the web dynos are up.');
  }
}
