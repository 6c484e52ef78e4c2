import { setTimeout as sleep } from 'node:timers/promises';
import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import {
  illegalState, notFound, type AppDestroyed, type DomainAdded, type DomainRemoved, type DynoInfo, type DynoSize, type EventOf, type FormationScaled,
  type MaintenanceChanged, type ReleaseCreated, ReleasePhaseFinished, type TtySize,
} from '@paas/contracts';
import { EventPublisher } from '@paas/messaging';
import { AppLogs } from './adapters/app-logs.js';
import { gateRelease, releaseCommand, type PhaseGate } from './domain/release-phase.js';
import type { DesiredApp, DesiredRelease } from './domain/desired-state.js';
import { substituteProcessType } from './domain/one-off.js';
import { RouteWriter } from './adapters/route-writer.js';
import type { DynoManagerSettings } from './config.js';
import { DesiredStateService } from './desired-state.service.js';
import { DynoSupervisor } from './dyno-supervisor.service.js';
import { formationOf } from './domain/desired-state.js';
import { planApp } from './domain/planner.js';
import { SETTINGS } from './tokens.js';

/**
 * Makes actual dynos match desired ones, one app at a time: a request while the app's
 * reconcile runs marks it dirty and it runs again after. Nothing is planned before the release
 * service first answered, so adopted dynos keep running while it is away.
 */
@Injectable()
export class Reconciler implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly log = new Logger('dyno-manager');
  private readonly running = new Map<string, Promise<void>>();
  private readonly dirty = new Set<string>();
  private readonly wakeups = new Map<string, NodeJS.Timeout>();
  /** Apps whose route (`app.<name>`) this manager has written since it started, with what it said. */
  private readonly routedApps = new Map<string, string>();
  /** Destroyed apps whose routes are deleted. */
  private readonly removedApps = new Set<string>();
  private readonly stopping = new AbortController();
  private ticker: NodeJS.Timeout | undefined;
  private synced = false;
  /** Per app: the release phase of its newest release with a `release:` command. */
  private readonly gates = new Map<string, PhaseGate>();
  /** Per app: the release its formation was last planned on (what runs while a release phase holds the next one). */
  private readonly liveReleases = new Map<string, DesiredRelease>();

  constructor(
    @Inject(SETTINGS) private readonly settings: DynoManagerSettings,
    private readonly desired: DesiredStateService,
    private readonly supervisor: DynoSupervisor,
    private readonly routes: RouteWriter,
    private readonly publisher: EventPublisher,
    private readonly logs: AppLogs,
  ) {
    supervisor.onChange((appId) => this.request(appId));
  }

  async onApplicationBootstrap(): Promise<void> {
    const adopted = await this.supervisor.adopt();
    if (adopted) this.log.log(`adopted ${adopted} running dynos`);
    void this.firstSync();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping.abort();
    clearInterval(this.ticker);
    for (const t of this.wakeups.values()) clearTimeout(t);
    await Promise.allSettled([...this.running.values()]);
    await this.supervisor.close();
  }

  onReleaseCreated(e: EventOf<typeof ReleaseCreated>): void {
    if (this.desired.onReleaseCreated(e)) this.request(e.appId);
  }

  onFormationScaled(e: EventOf<typeof FormationScaled>): void {
    if (!this.desired.onFormationScaled(e)) return;
    this.supervisor.resetCoolOff(e.appId);
    this.request(e.appId);
  }

  onAppDestroyed(e: EventOf<typeof AppDestroyed>): void {
    if (this.desired.onAppDestroyed(e)) this.request(e.appId);
  }

  /** Domain added or removed, maintenance on or off: the app's route changes, its dynos do not. */
  onRoutingEvent(e: EventOf<typeof DomainAdded> | EventOf<typeof DomainRemoved> | EventOf<typeof MaintenanceChanged>): void {
    if (this.desired.onRoutingEvent(e)) this.request(e.appId);
  }

  /** Stops the dynos a restart or stop names; the next plan starts fresh ones where the formation wants them. */
  stopDynos(target: { appId: string; type?: string; name?: string }, reason: string): { dynos: string[] } {
    const match = (d: { type: string; name: string }) => (!target.type || d.type === target.type) && (!target.name || d.name === target.name);
    const dynos = this.supervisor.stopMatching(target.appId, match, reason);
    if (dynos.length === 0 && (target.type || target.name)) throw notFound(`Couldn't find that dyno (${target.name ?? target.type}).`);
    return { dynos };
  }

  /** Runs a command in a one-off dyno; `heroku run web` runs the web type's Procfile command. */
  async runOneOff(req: { appId: string; command: string; env?: Record<string, string>; size?: DynoSize; attach?: boolean; tty?: TtySize }): Promise<DynoInfo> {
    const app = this.deployedApp(req.appId);
    const command = substituteProcessType(req.command, app.release!.slug!.processTypes);
    const r = await this.supervisor.runOneOff(app, command, req.env ?? {}, req.size ?? 'standard-1x', this.desired.cause(req.appId), req.attach ?? false,
      req.tty ? { tty: req.tty } : {});
    return this.supervisor.describe(r);
  }

  /** Starts a pending attached one-off dyno (`heroku run`) once its client is connected. */
  async attachOneOff(req: { appId: string; dynoId: string }): Promise<DynoInfo> {
    const r = await this.supervisor.attach(this.deployedApp(req.appId), req.dynoId);
    return this.supervisor.describe(r);
  }

  private deployedApp(appId: string) {
    const app = this.desired.get(appId);
    if (!app || app.destroyed) throw notFound("Couldn't find that app.");
    if (!app.release?.slug) throw illegalState('This app has no deployed release yet: push code before running commands.');
    return app;
  }

  listDynos(appId: string): DynoInfo[] {
    const app = this.desired.get(appId);
    return this.supervisor.list(appId, (type) => (app ? formationOf(app, type)?.size : undefined));
  }

  /** Asks for a reconcile of one app; coalesces with one that is running. */
  request(appId: string): void {
    if (!this.synced || this.stopping.signal.aborted) return;
    if (this.running.has(appId)) {
      this.dirty.add(appId);
      return;
    }
    const run = this.loop(appId).finally(() => this.running.delete(appId));
    this.running.set(appId, run);
  }

  private async loop(appId: string): Promise<void> {
    do {
      this.dirty.delete(appId);
      try {
        await this.reconcile(appId);
      } catch (err) {
        this.log.error(`reconciling app ${appId} failed, the next tick tries again: ${(err as Error).message}`);
      }
    } while (this.dirty.has(appId) && !this.stopping.signal.aborted);
  }

  private async reconcile(appId: string): Promise<void> {
    const app = this.desired.get(appId);
    if (app && !app.destroyed) {
      const route = { appId: app.appId, appName: app.appName, maintenance: app.routing.maintenance, domains: [...app.routing.domains] };
      const said = JSON.stringify(route);
      if (this.routedApps.get(appId) !== said) {
        this.routedApps.set(appId, said);
        await this.routes.app(route);
      }
    }
    if (app?.destroyed) this.supervisor.stopOneOffs(appId, 'app destroyed');
    const gated = gateRelease(app, this.gates.get(appId), this.liveReleases.get(appId));
    if (gated.startPhase) await this.startReleasePhase(app!);
    if (gated.app !== null) {
      const plan = planApp(gated.app, this.supervisor.actual(appId), Date.now());
      await this.supervisor.execute(gated.app, plan.actions, this.desired.cause(appId));
      this.wake(appId, plan.wakeAt);
      if (gated.app?.release) this.liveReleases.set(appId, gated.app.release);
    }
    if (app?.destroyed && this.supervisor.actual(appId).length === 0 && !this.removedApps.has(appId)) {
      this.removedApps.add(appId);
      this.routedApps.delete(appId);
      await this.routes.deleteApp(app.appName);
    }
  }

  /**
   * Runs the release's `release:` command in a one-off dyno (release.N, output in the app's log);
   * the release's dynos start only once it exited 0, else the live release keeps running.
   */
  private async startReleasePhase(app: DesiredApp): Promise<void> {
    const release = app.release!;
    const command = releaseCommand(release)!;
    const gate = { version: release.version };
    this.gates.set(app.appId, { ...gate, state: 'running' });
    const cause = this.desired.cause(app.appId);
    const finished = (exitCode: number | null, dyno: string) => {
      const succeeded = exitCode === 0;
      if (this.gates.get(app.appId)?.version === release.version) this.gates.set(app.appId, { ...gate, state: succeeded ? 'succeeded' : 'failed' });
      this.logs.heroku(app.appId, dyno, succeeded
        ? `Release phase of v${release.version} succeeded: starting its dynos`
        : `Release phase of v${release.version} failed (${exitCode === null ? 'it did not run to the end' : `exit status ${exitCode}`}): the previous release keeps running`);
      void this.publisher.publish(ReleasePhaseFinished, { appName: app.appName, version: release.version, dyno, command, exitCode, succeeded }, { appId: app.appId, ...cause })
        .catch((err: Error) => this.log.warn(`publishing ReleasePhaseFinished of ${app.appName} v${release.version} failed: ${err.message}`));
      this.request(app.appId);
    };
    try {
      await this.supervisor.runOneOff(app, command, {}, 'standard-1x', cause, false, { prefix: 'release', onFinished: finished });
    } catch (err) {
      this.log.error(`the release phase of ${app.appName} v${release.version} could not start: ${(err as Error).message}`);
      finished(null, 'release');
    }
  }

  /** Plans the app again when a crashed dyno's back-off is over. */
  private wake(appId: string, at: number | null): void {
    clearTimeout(this.wakeups.get(appId));
    this.wakeups.delete(appId);
    if (at === null || this.stopping.signal.aborted) return;
    const t = setTimeout(() => {
      this.wakeups.delete(appId);
      this.request(appId);
    }, Math.max(0, at - Date.now()));
    t.unref();
    this.wakeups.set(appId, t);
  }

  /** Waits for the release service's snapshot, then plans every app and starts the periodic resync. */
  private async firstSync(): Promise<void> {
    for (let tries = 1; !this.stopping.signal.aborted; tries++) {
      try {
        await this.desired.refresh();
        break;
      } catch (err) {
        if (tries === 1 || tries % 10 === 0) {
          this.log.warn(`cannot read the desired state from the release service (${(err as Error).message}); keeping the running dynos as they are and retrying every ${this.settings.desiredStateRetryMs} ms`);
        }
        await sleep(this.settings.desiredStateRetryMs, undefined, { signal: this.stopping.signal }).catch(() => undefined);
      }
    }
    if (this.stopping.signal.aborted) return;
    this.synced = true;
    this.log.log(`in sync with the release service: ${this.desired.all().length} apps`);
    await this.routes.pruneApps(this.knownAppNames()).catch((err: Error) => this.log.warn(`pruning stale app routes failed: ${err.message}`));
    this.reconcileAll();
    this.ticker = setInterval(() => void this.tick(), this.settings.reconcileIntervalMs);
    this.ticker.unref();
  }

  /** The periodic resync: a fresh snapshot when the release service answers, then every app planned again. */
  private async tick(): Promise<void> {
    await this.desired.refresh().catch((err: Error) => this.log.warn(`resync with the release service failed, planning with what is known: ${err.message}`));
    if (this.routes.takeFailure()) {
      this.routedApps.clear();
      await this.routes.syncDynos(this.supervisor.routable()).catch(() => undefined);
    }
    // A destroyed app whose route deletion was missed disappears at the next tick at the latest.
    await this.routes.pruneApps(this.knownAppNames()).catch((err: Error) => this.log.warn(`pruning stale app routes failed: ${err.message}`));
    this.reconcileAll();
  }

  private knownAppNames(): Set<string> {
    return new Set(this.desired.all().filter((a) => !a.destroyed).map((a) => a.appName));
  }

  private reconcileAll(): void {
    const ids = new Set([...this.desired.all().map((a) => a.appId), ...this.supervisor.appIds()]);
    for (const id of ids) this.request(id);
  }
}
