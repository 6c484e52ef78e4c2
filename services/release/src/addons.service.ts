import { createHash, randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import {
  ADDON_NAME_PATTERN, conflict, illegalState, invalid, isPaasError, notFound,
  type AddonAttachmentInfo, type AddonInfo, type AddonServiceInfo, type AppInfo, type CreateAddon, type CreateAddonAttachment, type EventOf, type RequestOf, type SlugBuilt,
} from '@paas/contracts';
import { AddonReadModel } from './adapters/addon-read-model.js';
import { AddonProvisioner } from './addon-provisioner.js';
import { AppAccess } from './app-access.js';
import { CommandHandler } from './command-handler.js';
import { addonNameFor, resolvePlan, serviceOf, type ResolvedPlan } from './domain/addon-catalogue.js';
import { decideAddon, type AddonCommand } from './domain/addons.js';
import { evolve, type AppState } from './domain/app-state.js';

const NAME_TRIES = 10;

/** Add-ons: the catalogue, creating (recorded, then provisioned by the provisioner), attaching, detaching, destroying. */
@Injectable()
export class AddonsService {
  private readonly log = new Logger('release:addons');

  constructor(
    private readonly commands: CommandHandler,
    private readonly read: AddonReadModel,
    private readonly access: AppAccess,
    private readonly provisioner: AddonProvisioner,
  ) {}

  services(): AddonServiceInfo[] {
    return this.provisioner.catalogue.map((s) => ({
      id: s.id, name: s.name, humanName: s.humanName,
      plans: s.plans.map((p) => ({
        id: p.id, name: `${s.name}:${p.name}`, humanName: p.humanName, description: `${s.humanName} ${p.humanName}`,
        priceCentsPerMonth: p.priceCentsPerMonth, default: p.default ?? false, limits: { ...p.limits },
      })),
    }));
  }

  async list(appRef: string | undefined, actor?: string): Promise<AddonInfo[]> {
    if (appRef !== undefined) return this.read.ofApp((await this.access.app(appRef, actor)).id);
    const apps = await this.access.apps(actor);
    const all = await Promise.all(apps.map((a) => this.read.ofApp(a.id)));
    return [...new Map(all.flat().map((a) => [a.id, a])).values()];
  }

  /** An add-on the actor may see: one of an app they can see, owned or attached. */
  async get(ref: string, appRef: string | undefined, actor?: string): Promise<AddonInfo> {
    const { info } = await this.read.addon(ref);
    if (appRef !== undefined) {
      const app = await this.access.app(appRef, actor);
      if (info.app.id === app.id || (await this.read.attachments({ appId: app.id, addonId: info.id })).length > 0) return info;
      throw notFound(`Couldn't find that add-on (${ref}) on ${app.name}.`);
    }
    await this.visible(info, actor);
    return info;
  }

  /** Records the add-on (provisioning), has it provisioned and attached; the plan and names are checked before anything is made. */
  async create(req: RequestOf<typeof CreateAddon>): Promise<AddonInfo> {
    const app = await this.access.app(req.app, req.actor);
    const resolved = resolvePlan(this.provisioner.catalogue, req.plan);
    const name = await this.nameFor(resolved, req.name);
    const addonId = randomUUID();
    const command = { type: 'CreateAddon', addonId, name, service: resolved.service.name, plan: resolved.plan.name, by: req.by } as const;
    await this.dryRun(app, command, req.attachmentName, resolved);
    await this.commands.execute(app.id, command);
    await this.provisioner.provision(app.id, addonId, req.attachmentName, req.by);
    return (await this.read.addon(addonId)).info;
  }

  /**
   * Destroys an add-on of the app: detached from it, its resource removed, recorded deprovisioned.
   * One still attached to other apps is a conflict naming them; a down server changes nothing.
   */
  async destroy(appRef: string, ref: string, by: string, actor?: string): Promise<AddonInfo> {
    const app = await this.access.app(appRef, actor);
    const { info } = await this.read.addon(ref);
    if (info.app.id !== app.id) {
      const attached = await this.read.attachments({ appId: app.id, addonId: info.id });
      if (attached.length === 0) throw notFound(`Couldn't find that add-on (${ref}) on ${app.name}.`);
      throw illegalState(`${info.name} belongs to ${info.app.name}; detach it from ${app.name} instead: heroku addons:detach ${attached[0]!.name} -a ${app.name}.`);
    }
    const elsewhere = (await this.read.attachments({ addonId: info.id })).filter((a) => a.app.id !== app.id);
    if (elsewhere.length > 0) {
      const apps = [...new Set(elsewhere.map((a) => a.app.name))].sort();
      throw conflict(`${info.name} is also attached to ${apps.join(', ')}. Detach it there first (heroku addons:detach ${elsewhere[0]!.name} -a ${elsewhere[0]!.app.name}), then destroy it.`);
    }
    await this.deprovision(app.id, info.id, by);
    return (await this.read.addon(info.id)).info;
  }

  /** Before an app is destroyed: its add-ons are detached from every app and deprovisioned. */
  async deprovisionAllOf(app: AppInfo, by: string): Promise<void> {
    const state = await this.commands.load(app.id);
    for (const addon of state.addons.filter((a) => a.state !== 'deprovisioned')) {
      for (const a of await this.read.attachments({ addonId: addon.id })) {
        if (a.app.id !== app.id) await this.commands.execute(a.app.id, { type: 'DetachAddon', attachmentId: a.id, by });
      }
      await this.deprovision(app.id, addon.id, by);
    }
  }

  async attachments(filter: { app?: string; addon?: string }, actor?: string): Promise<AddonAttachmentInfo[]> {
    if (filter.app !== undefined) {
      const app = await this.access.app(filter.app, actor);
      return this.read.attachments({ appId: app.id, addonId: filter.addon ? (await this.read.addon(filter.addon)).info.id : undefined });
    }
    if (filter.addon !== undefined) return this.read.attachments({ addonId: (await this.get(filter.addon, undefined, actor)).id });
    const visible = new Set((await this.access.apps(actor)).map((a) => a.id));
    return (await this.read.attachments()).filter((a) => visible.has(a.app.id));
  }

  /** One attachment by id, or by name on an app. */
  async attachment(ref: string, appRef: string | undefined, actor?: string): Promise<AddonAttachmentInfo> {
    if (appRef !== undefined) {
      const app = await this.access.app(appRef, actor);
      const found = (await this.read.attachments({ appId: app.id })).find((a) => a.id === ref.toLowerCase() || a.name === ref.toUpperCase());
      if (!found) throw notFound(`Couldn't find that add-on attachment (${ref}) on ${app.name}.`);
      return found;
    }
    const a = await this.read.attachment(ref);
    await this.access.app(a.app.id, actor);
    return a;
  }

  /** Attaches a provisioned add-on to an app (sharing it when the app is not its owner). */
  async attach(req: RequestOf<typeof CreateAddonAttachment>): Promise<AddonAttachmentInfo> {
    const app = await this.access.app(req.app, req.actor);
    const { info, url } = await this.read.addon(req.addon);
    await this.visible(info, req.actor);
    if (info.state !== 'provisioned' || !url) throw illegalState(`${info.name} is ${info.state}; only a provisioned add-on can be attached.`);
    const attachmentId = randomUUID();
    const spec = serviceOf(this.provisioner.catalogue, info.service.name);
    await this.commands.execute(app.id, {
      type: 'AttachAddon', by: req.by,
      attach: { attachmentId, name: req.name, addon: { id: info.id, name: info.name, appId: info.app.id, url, attach: spec.attach } },
    });
    return this.read.attachment(attachmentId);
  }

  async detach(attachmentId: string, by: string, actor?: string): Promise<AddonAttachmentInfo> {
    const a = await this.attachment(attachmentId, undefined, actor);
    await this.commands.execute(a.app.id, { type: 'DetachAddon', attachmentId: a.id, by });
    return a;
  }

  /**
   * On an app's first deploy, provisions what the build asks for (app.json `addons`, Django's
   * database) unless the app already has an add-on of that service. Add-on ids derive from the
   * build, so a redelivered SlugBuilt resumes instead of making a second one. A failure is logged
   * and recorded on the add-on; the deploy goes on.
   */
  async provisionForSlug(e: EventOf<typeof SlugBuilt>): Promise<void> {
    const plans = e.data.addons ?? [];
    if (plans.length === 0) return;
    let state = await this.commands.load(e.appId);
    if (state.status !== 'live' || state.releasedBuilds.includes(e.data.buildId) || state.releases.some((r) => r.slug)) return;
    for (const [i, text] of plans.entries()) {
      const addonId = derivedUuid(`${e.data.buildId}:addon:${i}`);
      try {
        const resolved = resolvePlan(this.provisioner.catalogue, text);
        const mine = state.addons.find((a) => a.id === addonId);
        if (!mine && state.addons.some((a) => a.service === resolved.service.name && a.state !== 'deprovisioned')) continue;
        if (!mine) {
          const name = await this.nameFor(resolved, undefined);
          await this.commands.execute(e.appId, { type: 'CreateAddon', addonId, name, service: resolved.service.name, plan: resolved.plan.name, by: state.owner },
            { causationId: e.id, correlationId: e.correlationId });
        }
        await this.provisioner.provision(e.appId, addonId, undefined, state.owner);
      } catch (err) {
        if (!isPaasError(err)) throw err; // e.g. the log is down: SlugBuilt is redelivered and this resumes
        this.log.warn(`${e.data.appName}: the add-on "${text}" its first deploy asks for was not provisioned: ${err.message}`);
      }
      state = await this.commands.load(e.appId);
    }
  }

  private async deprovision(appId: string, addonId: string, by: string): Promise<void> {
    const addon = (await this.commands.load(appId)).addons.find((a) => a.id === addonId);
    if (!addon || addon.state === 'deprovisioned') return;
    await this.provisioner.deprovision(addon);
    await this.commands.execute(appId, { type: 'DestroyAddon', addonId, by });
  }

  /** The user's name (checked, free) or a generated free one. */
  private async nameFor(resolved: ResolvedPlan, asked: string | undefined): Promise<string> {
    if (asked !== undefined && asked.trim() !== '') {
      const name = asked.trim().toLowerCase();
      if (!ADDON_NAME_PATTERN.test(name)) throw invalid(`Name "${asked}" is invalid: add-on names start with a letter and use lowercase letters, digits and dashes (3-62 characters).`);
      if (await this.read.nameTaken(name)) throw conflict(`Name ${name} is already taken by another add-on.`);
      return name;
    }
    for (let i = 0; i < NAME_TRIES; i++) {
      const name = addonNameFor(resolved.service, Math.random);
      if (!(await this.read.nameTaken(name))) return name;
    }
    throw conflict('No free add-on name was found; try again or give one (--name).');
  }

  /** Decides creation and attachment on the current state without recording, so bad names fail before anything is made. */
  private async dryRun(app: AppInfo, create: Extract<AddonCommand, { type: 'CreateAddon' }>, attachmentName: string | undefined, r: ResolvedPlan): Promise<void> {
    const state: AppState = await this.commands.load(app.id);
    const ctx = { newId: randomUUID };
    const created = decideAddon(create, state, ctx).reduce(evolve, state);
    const attach = { attachmentId: randomUUID(), name: attachmentName, attachSpec: r.service.attach };
    decideAddon({ type: 'CompleteAddon', addonId: create.addonId, url: 'dry-run:', attach, by: create.by }, created, ctx);
  }

  private async visible(info: AddonInfo, actor?: string): Promise<void> {
    try {
      await this.access.app(info.app.id, actor);
    } catch (err) {
      const attachedToMine = actor !== undefined && (await this.attachments({}, actor)).some((a) => a.addon.id === info.id);
      if (!attachedToMine) throw err;
    }
  }
}

/** A uuid derived from a string, so retries of one thing use one id. */
function derivedUuid(seed: string): string {
  const h = createHash('sha256').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
