import { setTimeout as sleep } from 'node:timers/promises';
import { randomBytes } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { notFound, type DynoInfo, type DynoSize, type TtySize } from '@paas/contracts';
import { AppLogs } from './adapters/app-logs.js';
import { AttachRelay } from './adapters/attach-relay.js';
import { accepts, waitForPort } from './adapters/port-probe.js';
import { RouteWriter } from './adapters/route-writer.js';
import type { AttachedProcess, DynoExit, RuntimeDriver } from './adapters/runtime/driver.js';
import type { DynoManagerSettings } from './config.js';
import type { Cause } from './desired-state.service.js';
import { newRecord, type DynoRecord } from './dyno-record.js';
import { DynoStates } from './dyno-states.service.js';
import type { DesiredApp } from './domain/desired-state.js';
import { newDynoId, type ActualDyno, type LiveState } from './domain/dyno.js';
import type { Action } from './domain/planner.js';
import { crashesAfter, restartDelay } from './domain/restart-policy.js';
import { r12, r14, R15 } from './domain/dyno-size.js';
import { RUNTIME_DRIVER, SETTINGS } from './tokens.js';

/**
 * A pending attached dyno nobody attached to is dropped after this long. The api gives its client
 * less time (its rendezvous secret expires sooner); this only covers an api that went away meanwhile.
 */
const PENDING_ATTACH_MS = 120_000;

/**
 * Runs the planner's actions through the runtime driver and owns each dyno's lifecycle:
 * starting -> up (web: once $PORT accepts connections) -> crashed (restarted with back-off)
 * -> down. Every change is published as DynoStateChanged and mirrored in the route table.
 */
@Injectable()
export class DynoSupervisor {
  private readonly log = new Logger('dyno-manager');
  private readonly records = new Map<string, DynoRecord>();
  private readonly listeners: ((appId: string) => void)[] = [];
  private closed = false;

  constructor(
    @Inject(SETTINGS) private readonly settings: DynoManagerSettings,
    @Inject(RUNTIME_DRIVER) private readonly driver: RuntimeDriver,
    private readonly routes: RouteWriter,
    private readonly states: DynoStates,
    private readonly logs: AppLogs,
    private readonly relay: AttachRelay,
  ) {
    driver.onExit((id, exit) => this.exited(id, exit));
    driver.onOutput((o) => this.logs.app(o.appId, o.name, o.line));
    driver.onMemory?.((m) => {
      const r = this.records.get(m.id);
      if (r && !r.stopping) this.logs.heroku(m.appId, m.name, r14(m.usedMb, m.quotaMb));
    });
  }

  /** Called with an app id whenever its dynos changed in a way the planner should see. */
  onChange(listener: (appId: string) => void): void {
    this.listeners.push(listener);
  }

  /** The app's formation dynos as the planner sees them (stopping and one-off dynos left out). */
  actual(appId: string): ActualDyno[] {
    return this.live(appId).filter((r) => !r.oneOff);
  }

  appIds(): Set<string> {
    return new Set([...this.records.values()].map((r) => r.appId));
  }

  /** The app's dynos for ListDynos; `sizeOf` gives the formation's current size of a type. */
  list(appId: string, sizeOf: (type: string) => DynoSize | undefined): DynoInfo[] {
    return this.live(appId).map((r) => this.describe(r, sizeOf(r.type)));
  }

  /** One dyno as ListDynos shows it. */
  describe(r: DynoRecord, size: DynoSize = r.size): DynoInfo {
    return {
      id: r.id, appId: r.appId, appName: r.appName, name: r.name, type: r.type, command: r.command,
      size, state: r.state, releaseVersion: r.releaseVersion, host: r.host ?? '127.0.0.1', port: r.port,
      createdAt: r.createdAt, updatedAt: r.updatedAt,
    };
  }

  /** The up (and crashed) web dynos, as the route table should show them. */
  routable() {
    return [...this.records.values()].filter((r) => r.routed && r.port !== null && r.host !== null)
      .map((r) => ({ ...r, host: r.host!, port: r.port!, state: r.state === 'crashed' ? 'crashed' as const : 'up' as const }));
  }

  /** Adopts the dynos the runtime still runs (a previous manager started them). */
  async adopt(): Promise<number> {
    const handles = await this.driver.list();
    for (const h of handles) {
      const up = h.type !== 'web' || await accepts(h.host, h.port, h.owner);
      const r = newRecord(h, up ? 'up' : 'starting', 'standard-1x', { causationId: null });
      r.routed = up && h.type === 'web';
      this.records.set(r.id, r);
      if (!up) void this.watchBoot(r, h.startedAt + this.settings.bootTimeoutMs);
    }
    await this.routes.syncDynos(this.routable());
    return handles.length;
  }

  /** Carries out a plan's actions: starts and restarts first, then stops, each group in parallel. */
  async execute(app: DesiredApp | undefined, actions: readonly Action[], cause: Cause): Promise<void> {
    const launches = actions.flatMap((a) => {
      if (!app || a.kind === 'stop') return [];
      if (a.kind === 'start') return [this.start(app, a, cause)];
      const r = this.records.get(a.dynoId);
      if (!r || r.state !== 'crashed' || r.stopping) return [];
      r.cause = cause;
      return [this.launch(r, app, 'crashed')];
    });
    await Promise.all(launches);
    const stops = actions.flatMap((a) => {
      const r = a.kind === 'stop' ? this.records.get(a.dynoId) : undefined;
      if (!r || a.kind !== 'stop') return [];
      r.cause = cause;
      return [this.stop(r, a.reason)];
    });
    await Promise.all(stops);
  }

  /**
   * Stops the app's dynos that match, without waiting for them to exit; each one that is gone is
   * reported through onChange, so the planner starts its replacement. Returns their names.
   */
  stopMatching(appId: string, match: (d: { type: string; name: string }) => boolean, reason: string): string[] {
    const targets = this.live(appId).filter(match);
    for (const r of targets) {
      void this.stop(r, reason).finally(() => this.changed(appId));
    }
    // A dyno already on its way out (a restart just asked for) is stopping anyway: naming it is
    // not an unknown dyno, and its replacement comes from the formation as for any stop.
    const leaving = [...this.records.values()].filter((r) => r.appId === appId && r.stopping && match(r) && !targets.some((t) => t.name === r.name));
    return [...new Set([...targets, ...leaving].map((r) => r.name))];
  }

  /**
   * Starts a one-off dyno named run.N (or <prefix>.N) on the app's current release; resolves once its
   * process runs. `onFinished` hears once how it ended.
   */
  async runOneOff(
    app: DesiredApp, command: string, extraEnv: Record<string, string>, size: DynoSize, cause: Cause, attach = false,
    o: { prefix?: 'run' | 'release'; onFinished?: (exitCode: number | null, name: string) => void; tty?: TtySize } = {},
  ): Promise<DynoRecord> {
    const taken = new Set(this.live(app.appId).map((r) => r.name));
    let name: string;
    do name = `${o.prefix ?? 'run'}.${1000 + randomBytes(2).readUInt16BE() % 9000}`; while (taken.has(name));
    const id = newDynoId(name, randomBytes(4).toString('hex'));
    const r = newRecord({ id, appId: app.appId, appName: app.appName, name, type: 'run', releaseVersion: app.release!.version, command, host: null, port: null, startedAt: Date.now() }, 'starting', size, cause);
    r.extraEnv = extraEnv;
    r.onFinished = once(o.onFinished);
    if (attach && o.tty) r.tty = o.tty;
    this.records.set(id, r);
    if (attach) {
      r.pendingAttach = true;
      r.dropTimer = setTimeout(() => this.drop(r, 'nobody attached in time'), PENDING_ATTACH_MS);
      r.dropTimer.unref();
      return r;
    }
    await this.launch(r, app, null);
    return r;
  }

  /**
   * Starts a pending attached one-off dyno with its stdio relayed over NATS (AttachRelay); resolves
   * once the process runs and its stdin subject is read. Attached dynos do not survive a restart of
   * the manager: the process driver kills them when it closes, since nobody could attach again.
   */
  async attach(app: DesiredApp, dynoId: string): Promise<DynoRecord> {
    const r = this.records.get(dynoId);
    if (!r || r.appId !== app.appId || !r.pendingAttach || r.stopping) {
      throw notFound(`Couldn't find a one-off dyno waiting to be attached (${dynoId}): it was attached already, or dropped because nobody attached in time.`);
    }
    r.pendingAttach = false;
    clearTimeout(r.dropTimer);
    let proc: AttachedProcess | undefined;
    const early: (Buffer | null)[] = [];
    const stdin = { write: (d: Buffer) => (proc ? proc.write(d) : early.push(d)), end: () => (proc ? proc.end() : early.push(null)) };
    // In a terminal, ^D is the terminal's to read as end of input, like any other key.
    const link = await this.relay.open(r.id, stdin, { raw: r.tty !== undefined });
    r.launching = true;
    try {
      if (!app.release?.slug) throw new Error(`release v${r.releaseVersion} has no slug`);
      proc = await this.driver.startAttached(this.specOf(r, app), {
        onOutput: (chunk) => link.output(chunk),
        onExit: (exit) => { link.exit(exit); this.exited(r.id, exit); },
      });
    } catch (err) {
      link.exit({ code: null, signal: null });
      this.records.delete(r.id);
      throw new Error(`${r.name} of ${r.appName} could not start: ${(err as Error).message}`);
    } finally {
      r.launching = false;
    }
    if (r.stopping) {
      // Stopped while it was being started (its client left): stop() found no process yet, so end it here.
      void this.driver.stop(r.id, 0).catch(() => undefined);
      return r;
    }
    for (const e of early) if (e === null) proc.end(); else proc.write(e);
    r.host = proc.handle.host;
    r.port = proc.handle.port;
    r.owner = proc.handle.owner;
    r.startedAt = proc.handle.startedAt;
    this.logs.heroku(r.appId, r.name, `Starting process with command \`${r.command}\``);
    this.states.record(r, null, 'starting');
    const exit = r.pendingExit;
    r.pendingExit = null;
    if (exit) this.exited(r.id, exit);
    else this.markUp(r);
    return r;
  }

  /** Forgets a pending attached dyno: it never ran, so it has no state to leave. */
  private drop(r: DynoRecord, reason: string): void {
    if (!r.pendingAttach || this.records.get(r.id) !== r) return;
    clearTimeout(r.dropTimer);
    r.pendingAttach = false;
    this.records.delete(r.id);
    this.logs.heroku(r.appId, r.name, `Dropped before it started (${reason})`);
    this.changed(r.appId);
  }

  /** The app was scaled: as on Heroku, its crashed dynos' cool-off ends (they restart at the next plan). */
  resetCoolOff(appId: string): void {
    for (const r of this.live(appId)) {
      if (r.state !== 'crashed') continue;
      r.crashes = 0;
      r.restartAt = null;
    }
  }

  /** Stops every one-off dyno of an app (it was destroyed). */
  stopOneOffs(appId: string, reason: string): void {
    for (const r of this.live(appId).filter((d) => d.oneOff)) void this.stop(r, reason);
  }

  /** Stops watching; dynos keep running for the next manager to adopt. */
  async close(): Promise<void> {
    this.closed = true;
    await this.driver.close();
    await this.states.flushed();
  }

  private start(app: DesiredApp, a: Extract<Action, { kind: 'start' }>, cause: Cause): Promise<void> {
    const id = newDynoId(a.name, randomBytes(4).toString('hex'));
    const r = newRecord({ id, appId: app.appId, appName: app.appName, name: a.name, type: a.type, releaseVersion: a.releaseVersion, command: a.command, host: null, port: null, startedAt: Date.now() }, 'starting', a.size, cause);
    this.records.set(id, r);
    return this.launch(r, app, null);
  }

  /** Starts (or restarts) a dyno's process; a failure to start counts as a crash. */
  private async launch(r: DynoRecord, app: DesiredApp, from: LiveState | null): Promise<void> {
    const slug = app.release?.slug;
    r.state = 'starting';
    r.startedAt = Date.now();
    r.launching = true;
    try {
      if (!slug) throw new Error(`release v${r.releaseVersion} has no slug`);
      const h = await this.driver.start(this.specOf(r, app));
      r.host = h.host;
      r.port = h.port;
      r.owner = h.owner;
      r.startedAt = h.startedAt;
    } catch (err) {
      if (r.oneOff) {
        // Never restarted: it is over before it began.
        this.log.error(`${r.name} of ${r.appName} could not start: ${(err as Error).message}`);
        this.logs.heroku(r.appId, r.name, `Failed to start: ${(err as Error).message}`);
        this.records.delete(r.id);
        this.states.record(r, null, 'down', null, `failed to start: ${(err as Error).message}`);
        r.onFinished?.(null, r.name);
        return;
      }
      this.log.error(`${r.name} of ${r.appName} could not start, retrying with back-off: ${(err as Error).message}`);
      this.crashed(r, from, null, `failed to start: ${(err as Error).message}`);
      return;
    } finally {
      r.launching = false;
    }
    this.logs.heroku(r.appId, r.name, `Starting process with command \`${r.command}\``);
    this.states.record(r, from, 'starting');
    const early = r.pendingExit;
    r.pendingExit = null;
    if (early) return this.exited(r.id, early);
    if (r.type === 'web') void this.watchBoot(r, r.startedAt + this.settings.bootTimeoutMs);
    else this.markUp(r);
  }

  private specOf(r: DynoRecord, app: DesiredApp) {
    return {
      id: r.id, appId: r.appId, appName: r.appName, name: r.name, type: r.type, releaseVersion: r.releaseVersion,
      command: r.command, env: { ...app.release!.config, ...r.extraEnv }, slug: app.release!.slug!.blob, size: r.size,
      image: imageOf(app, r.type), ...(r.tty ? { tty: r.tty } : {}),
    };
  }

  /** Marks a web dyno up once its port accepts connections, or kills it after the boot timeout (R10). */
  private async watchBoot(r: DynoRecord, deadline: number): Promise<void> {
    const run = r.startedAt;
    const wanted = () => !this.closed && !r.stopping && !r.killing && r.state === 'starting' && r.startedAt === run;
    const ok = await waitForPort(r.host!, r.port!, r.owner, deadline, wanted);
    if (ok === null) return;
    if (ok) return this.markUp(r);
    const secs = Math.round(this.settings.bootTimeoutMs / 1000);
    this.logs.heroku(r.appId, r.name, `Error R10 (Boot timeout) -> Web process failed to bind to $PORT within ${secs} seconds of launch`);
    r.killing = true;
    await this.driver.stop(r.id, 0).catch(() => undefined);
    r.killing = false;
    if (!r.stopping && !this.closed) this.crashed(r, 'starting', null, 'R10 boot timeout');
  }

  private markUp(r: DynoRecord): void {
    this.states.record(r, 'starting', 'up');
    this.changed(r.appId);
  }

  /** A dyno's process exited on its own: crashed, restarted by the planner when its back-off is over. */
  private exited(id: string, exit: DynoExit): void {
    const r = this.records.get(id);
    if (!r || r.stopping || r.killing || this.closed) return;
    if (r.launching) {
      r.pendingExit = exit;
      return;
    }
    const status = exit.code !== null ? `Process exited with status ${exit.code}` : `Process exited${exit.signal ? ` (${exit.signal})` : ''}`;
    if (exit.oomKilled) this.logs.heroku(r.appId, r.name, R15);
    this.logs.heroku(r.appId, r.name, status);
    if (r.oneOff) {
      // A one-off dyno's command ended: that is its whole life, not a crash.
      this.records.delete(r.id);
      // Whatever the runtime keeps of an exited dyno (its directory) goes: nothing restarts a one-off.
      void this.driver.stop(r.id, 0).catch(() => undefined);
      this.states.record(r, r.state, 'down', exit.code, 'command finished');
      r.onFinished?.(exit.code, r.name);
      return;
    }
    this.crashed(r, r.state, exit.code, status);
  }

  private crashed(r: DynoRecord, from: LiveState | null, exitCode: number | null, reason: string): void {
    const policy = { backoffBaseMs: this.settings.restartBackoffBaseMs, backoffMaxMs: this.settings.restartBackoffMaxMs };
    r.crashes = crashesAfter(r.crashes, Date.now() - r.startedAt, policy);
    r.restartAt = Date.now() + restartDelay(r.crashes, policy);
    this.states.record(r, from, 'crashed', exitCode, reason);
    this.changed(r.appId);
  }

  private async stop(r: DynoRecord, reason: string): Promise<void> {
    if (r.pendingAttach) return this.drop(r, reason);
    if (r.stopping) return;
    r.stopping = true;
    if (r.routed) {
      // Routers learn of the removal from the KV watch: requests they already sent finish, and
      // none arrives after SIGTERM, so a deploy or a scale-down fails no request.
      await this.states.unroute(r);
      await sleep(this.settings.routeDrainMs);
    }
    this.logs.heroku(r.appId, r.name, `Stopping all processes with SIGTERM (${reason})`);
    const exit: DynoExit = await this.driver.stop(r.id, this.settings.stopGraceMs).catch((err: Error) => {
      this.log.error(`stopping ${r.name} of ${r.appName} failed, it may still run: ${err.message}`);
      return { code: null, signal: null };
    });
    this.records.delete(r.id);
    if (exit.forced) this.logs.heroku(r.appId, r.name, r12(Math.round(this.settings.stopGraceMs / 1000)));
    if (exit.code !== null) this.logs.heroku(r.appId, r.name, `Process exited with status ${exit.code}`);
    this.states.record(r, r.state, 'down', exit.code, reason);
    r.onFinished?.(null, r.name);
  }

  private live(appId: string): DynoRecord[] {
    return [...this.records.values()].filter((r) => r.appId === appId && !r.stopping);
  }

  private changed(appId: string): void {
    if (!this.closed) for (const l of this.listeners) l(appId);
  }
}

/** A listener that runs at most once. */
function once<T extends unknown[]>(f: ((...a: T) => void) | undefined): ((...a: T) => void) | undefined {
  if (!f) return undefined;
  let called = false;
  return (...a: T) => {
    if (called) return;
    called = true;
    f(...a);
  };
}

/** The image a dyno of a Docker build runs: its type's, else web's (one-off and release dynos), else none (a slug). */
function imageOf(app: DesiredApp, type: string): string | undefined {
  const images = app.release?.slug?.images;
  if (!images) return undefined;
  return (images[type] ?? images.web ?? Object.values(images)[0])?.id;
}
