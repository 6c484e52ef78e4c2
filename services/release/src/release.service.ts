import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import {
  isPaasError, type ReleasePhaseFinished, SlugBuilt, type AppInfo, type DomainInfo, type EventOf, type FormationInfo, type ReleaseInfo, type RequestOf,
  type AddDomain, type CreateApp, type ReleaseImages, type RemoveDomain, type ScaleFormation, type SetMaintenance, type SetConfigVars,
} from '@paas/contracts';
import { ReadModel } from './adapters/read-model.js';
import { AppAccess } from './app-access.js';
import { CommandHandler, type Outcome } from './command-handler.js';
import { generateAppName } from './domain/app-names.js';

const NAME_TRIES = 5;

/** The release service's use cases: resolve the app a user means, run the command, answer from the projections. */
@Injectable()
export class ReleaseService {
  private readonly log = new Logger('release');

  constructor(private readonly commands: CommandHandler, private readonly read: ReadModel, private readonly access: AppAccess) {}

  /** Creates an app under the given name, or under a generated one that is free. */
  async createApp(req: RequestOf<typeof CreateApp>): Promise<AppInfo> {
    const appId = randomUUID();
    for (let attempt = 1; ; attempt++) {
      const name = req.name ?? generateAppName(Math.random);
      try {
        await this.commands.execute(appId, { type: 'CreateApp', name, by: req.by });
        return this.read.app(appId);
      } catch (err) {
        // A generated name that happens to be taken is our problem, not the user's: pick another.
        const taken = isPaasError(err) && err.id === 'conflict' && /already taken/.test(err.message);
        if (!taken || req.name !== undefined || attempt >= NAME_TRIES) throw err;
      }
    }
  }

  /** Destroys an app; answers with the app as it was. */
  async destroyApp(ref: string, by: string, actor?: string): Promise<AppInfo> {
    const app = await this.access.app(ref, actor);
    await this.commands.execute(app.id, { type: 'DestroyApp', by });
    return app;
  }

  async setConfigVars(req: RequestOf<typeof SetConfigVars>): Promise<{ config: Record<string, string>; release: ReleaseInfo | null }> {
    const app = await this.access.app(req.app, req.actor);
    const outcome = await this.commands.execute(app.id, { type: 'SetConfigVars', changes: req.changes, by: req.by });
    const version = releasedVersion(outcome);
    return { config: await this.read.config(app.id), release: version ? await this.read.release(app.id, String(version)) : null };
  }

  /** Rolls back to a release named by id or version; answers with the new release. */
  async rollback(ref: string, release: string, by: string, actor?: string): Promise<ReleaseInfo> {
    const app = await this.access.app(ref, actor);
    const target = await this.read.release(app.id, release);
    const outcome = await this.commands.execute(app.id, { type: 'Rollback', version: target.version, by });
    return this.read.release(app.id, String(releasedVersion(outcome)));
  }

  /** Releases pushed container images (`container:release`); answers with the new release. */
  async releaseImages(req: RequestOf<typeof ReleaseImages>): Promise<ReleaseInfo> {
    const app = await this.access.app(req.app, req.actor);
    const outcome = await this.commands.execute(app.id, { type: 'ReleaseImages', images: req.images, record: req.record, by: req.by });
    return this.read.release(app.id, String(releasedVersion(outcome)));
  }

  async scale(req: RequestOf<typeof ScaleFormation>): Promise<FormationInfo[]> {
    const app = await this.access.app(req.app, req.actor);
    await this.commands.execute(app.id, { type: 'ScaleFormation', updates: req.updates, by: req.by });
    return this.read.formation(app.id);
  }

  async config(ref: string, actor?: string): Promise<Record<string, string>> {
    return this.read.config((await this.access.app(ref, actor)).id);
  }

  async formation(ref: string, actor?: string): Promise<FormationInfo[]> {
    return this.read.formation((await this.access.app(ref, actor)).id);
  }

  async domains(ref: string, actor?: string): Promise<DomainInfo[]> {
    return this.read.domains((await this.access.app(ref, actor)).id);
  }

  /** The app's releases, oldest first. */
  async releases(ref: string, actor?: string): Promise<ReleaseInfo[]> {
    return this.read.releases((await this.access.app(ref, actor)).id);
  }

  /** One release by id or version. */
  async release(ref: string, release: string, actor?: string): Promise<ReleaseInfo> {
    return this.read.release((await this.access.app(ref, actor)).id, release);
  }

  /** Adds a custom domain; answers with it as stored (normalized to lowercase). */
  async addDomain(req: RequestOf<typeof AddDomain>): Promise<DomainInfo> {
    const app = await this.access.app(req.app, req.actor);
    const outcome = await this.commands.execute(app.id, { type: 'AddDomain', hostname: req.hostname, by: req.by });
    const { hostname } = outcome.events[0]!.envelope.data as { hostname: string };
    return (await this.read.domains(app.id)).find((d) => d.hostname === hostname)!;
  }

  /** Removes a custom domain; answers with the domain as it was. */
  async removeDomain(req: RequestOf<typeof RemoveDomain>): Promise<DomainInfo> {
    const app = await this.access.app(req.app, req.actor);
    const before = await this.read.domains(app.id);
    const outcome = await this.commands.execute(app.id, { type: 'RemoveDomain', hostname: req.hostname, by: req.by });
    const { envelope } = outcome.events[0]!;
    const { hostname } = envelope.data as { hostname: string };
    return before.find((d) => d.hostname === hostname) ?? { hostname, kind: 'custom', createdAt: envelope.occurredAt };
  }

  /** Turns maintenance mode on or off; answers with the app as it is afterwards. */
  async setMaintenance(req: RequestOf<typeof SetMaintenance>): Promise<AppInfo> {
    const app = await this.access.app(req.app, req.actor);
    await this.commands.execute(app.id, { type: 'SetMaintenance', maintenance: req.maintenance, by: req.by });
    return this.read.app(app.id);
  }

  /** Records how a release's release phase ended: the release succeeds, or fails and is never current. */
  async recordReleasePhase(e: EventOf<typeof ReleasePhaseFinished>): Promise<void> {
    const d = e.data;
    try {
      const outcome = await this.commands.execute(e.appId, { type: 'RecordReleasePhase', version: d.version, succeeded: d.succeeded, exitCode: d.exitCode, dyno: d.dyno },
        { causationId: e.id, correlationId: e.correlationId });
      if (outcome.events.length === 0) this.log.log(`the release phase of ${d.appName} v${d.version} was already recorded (or v${d.version} had none); nothing to do`);
      else this.log.log(`release v${d.version} of ${d.appName} ${d.succeeded ? 'succeeded' : 'failed'} its release phase`);
    } catch (err) {
      if (!isPaasError(err) || err.id !== 'not_found') throw err;
      this.log.warn(`the release phase of ${d.appName} v${d.version} ended after the app (${e.appId}) was destroyed; nothing to record`);
    }
  }

  /** Makes the next release of a built slug; a slug of an app destroyed meanwhile is dropped. */
  async recordSlug(e: EventOf<typeof SlugBuilt>): Promise<void> {
    try {
      const outcome = await this.commands.execute(e.appId, { type: 'RecordSlug', buildId: e.data.buildId, slug: e.data.slug },
        { causationId: e.id, correlationId: e.correlationId });
      const version = releasedVersion(outcome);
      if (version) this.log.log(`released build ${e.data.buildId} of ${e.data.appName} as v${version}`);
      else this.log.log(`build ${e.data.buildId} of ${e.data.appName} was already released; nothing to do`);
    } catch (err) {
      if (!isPaasError(err) || err.id !== 'not_found') throw err;
      this.log.warn(`build ${e.data.buildId} is for app ${e.data.appName} (${e.appId}) which does not exist (destroyed?); not releasing it`);
    }
  }
}

/** The version of the release a command made, if it made one. */
function releasedVersion(outcome: Outcome): number | undefined {
  const r = outcome.events.find((s) => s.envelope.type === 'ReleaseCreated');
  return (r?.envelope.data as { version: number } | undefined)?.version;
}
