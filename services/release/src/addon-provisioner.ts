import { randomBytes, randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { isPaasError, PaasError } from '@paas/contracts';
import { AddonReadModel } from './adapters/addon-read-model.js';
import { PROVIDER_MODULES } from './adapters/addon-providers/index.js';
import type { AddonProvider, AddonTarget } from './adapters/addon-providers/provider.js';
import { CommandHandler } from './command-handler.js';
import type { ReleaseSettings } from './config.js';
import { serviceOf, type ServiceSpec } from './domain/addon-catalogue.js';
import type { AddonRecord } from './domain/addons.js';
import { SETTINGS } from './tokens.js';

const TRIES = 3;
const FIRST_RETRY_MS = 250;
/** A provisioning older than this with no outcome was cut short (a crash): it is resumed. */
const STUCK_AFTER_MS = 60_000;

/**
 * The owner of add-on resources: makes them for add-ons recorded as provisioning, then records the
 * outcome. Idempotent by add-on id (the resource is named by it), so a retry or a resumed
 * provisioning never makes a second database; a failure records the add-on as deprovisioned with
 * the reason, after removing whatever the failed try made.
 */
@Injectable()
export class AddonProvisioner implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('release:addons');
  private readonly providers = new Map<string, AddonProvider>();
  readonly catalogue: readonly ServiceSpec[] = PROVIDER_MODULES.map((m) => m.spec);
  private timer: NodeJS.Timeout | undefined;

  constructor(
    @Inject(SETTINGS) settings: ReleaseSettings,
    private readonly commands: CommandHandler,
    private readonly read: AddonReadModel,
  ) {
    for (const m of PROVIDER_MODULES) this.providers.set(m.spec.name, m.create(settings.addons));
    read.useCatalogue(this.catalogue);
  }

  onApplicationBootstrap(): void {
    void this.adviseOperators();
    void this.resumeStuck();
    this.timer = setInterval(() => void this.resumeStuck(), STUCK_AFTER_MS);
    this.timer.unref();
  }

  /** Tells the operator once, at boot, what an add-on server lacks for tenants (a server that cannot be asked is told of later, when used). */
  private async adviseOperators(): Promise<void> {
    for (const provider of this.providers.values()) {
      const advice = await provider.setUpAdvice?.().catch(() => undefined);
      if (advice) this.log.warn(advice);
    }
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** Provisions a recorded add-on of the app and attaches it; throws (503 when the server is down) after recording the failure. */
  async provision(appId: string, addonId: string, attachmentName: string | undefined, by: string): Promise<void> {
    const state = await this.commands.load(appId);
    const addon = state.addons.find((a) => a.id === addonId);
    if (!addon || addon.state !== 'provisioning') return;
    const target = this.targetOf(addon);
    const spec = serviceOf(this.catalogue, addon.service);
    let url: string;
    try {
      const secret = randomBytes(24).toString('hex');
      ({ url } = await this.withRetries(`provisioning ${addon.name}`, () => this.provider(addon.service).provision(target, secret)));
    } catch (err) {
      await this.fail(appId, addon, target, err, by);
      throw err;
    }
    try {
      const outcome = await this.commands.execute(appId, { type: 'CompleteAddon', addonId, url, attach: { attachmentId: randomUUID(), name: attachmentName, attachSpec: spec.attach }, by });
      const recorded = outcome.state.addons.find((a) => a.id === addonId)?.url;
      // Another process finished this add-on first with its own secret: the resource must answer to the recorded one.
      if (outcome.events.length === 0 && recorded && recorded !== url) await this.provider(addon.service).provision(target, new URL(recorded).password);
    } catch (err) {
      // The resource must not outlive a record that says it failed.
      await this.fail(appId, addon, target, err, by);
      throw err;
    }
    this.log.log(`provisioned ${addon.name} (${addon.service}:${addon.plan}) for app ${state.name}`);
  }

  /** Removes an add-on's resource (503 when its server is down: then nothing changed). */
  async deprovision(addon: AddonRecord): Promise<void> {
    await this.withRetries(`deprovisioning ${addon.name}`, () => this.provider(addon.service).deprovision(this.targetOf(addon)));
  }

  /** Resumes provisionings cut short (the process stopped between recording and finishing one). */
  async resumeStuck(): Promise<void> {
    try {
      for (const s of await this.read.stuck(new Date(Date.now() - STUCK_AFTER_MS))) {
        this.log.warn(`add-on ${s.id} was left provisioning; provisioning it again`);
        await this.provision(s.appId, s.id, undefined, 'platform').catch((err: Error) => this.log.warn(`resuming add-on ${s.id} failed: ${err.message}`));
      }
    } catch (err) {
      this.log.warn(`cannot look for add-ons left provisioning (${(err as Error).message}); will look again`);
    }
  }

  private async fail(appId: string, addon: AddonRecord, target: AddonTarget, err: unknown, by: string): Promise<void> {
    const reason = isPaasError(err) ? err.message : `Provisioning failed: ${(err as Error).message}`;
    this.log.warn(`provisioning ${addon.name} failed: ${reason}`);
    await this.provider(addon.service).deprovision(target).catch(() => undefined); // best effort: a down server has nothing new anyway
    await this.commands.execute(appId, { type: 'FailAddon', addonId: addon.id, reason, by });
  }

  private provider(service: string): AddonProvider {
    const p = this.providers.get(service);
    if (!p) throw new PaasError('internal', `No provider for add-on service ${service}.`);
    return p;
  }

  private targetOf(addon: AddonRecord): AddonTarget {
    const spec = serviceOf(this.catalogue, addon.service);
    const plan = spec.plans.find((p) => p.name === addon.plan) ?? spec.plans[0]!;
    return { id: addon.id, name: addon.name, plan };
  }

  /** Tries a server call again while the server does not answer, with a doubling wait. */
  private async withRetries<T>(doing: string, fn: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn();
      } catch (err) {
        const down = isPaasError(err) && err.id === 'unavailable';
        if (!down || attempt >= TRIES) throw err;
        this.log.warn(`${doing}: try ${attempt} of ${TRIES} failed (${err.message}); trying again`);
        await delay(FIRST_RETRY_MS * 2 ** (attempt - 1));
      }
    }
  }
}
