import { Injectable } from '@nestjs/common';
import { z } from 'zod';
import {
  CreateAddon, CreateAddonAttachment, DeleteAddonAttachment, DestroyAddon, GetAddon, GetAddonAttachment, invalid, ListAddonAttachments, ListAddons, ListAddonServices,
  notFound, type AddonServiceInfo,
} from '@paas/contracts';
import { RpcClient } from '@paas/messaging';
import { scopeOf, type Actor } from '../actor.js';
import { presentAddon, presentAddonService, presentAttachment, presentPlan } from './addon-presenters.js';

/** A resource named by a string or by an object with its id or name, as Heroku's API takes both. */
const identity = z.union([z.string().min(1), z.object({ id: z.string().optional(), name: z.string().optional() })])
  .transform((v) => (typeof v === 'string' ? v : v.id ?? v.name ?? ''))
  .refine((v) => v !== '', 'give an id or a name');

const createBody = z.object({
  plan: identity,
  attachment: z.object({ name: z.string().nullish() }).nullish(),
  config: z.record(z.string(), z.unknown()).nullish(),
  name: z.string().nullish(),
  confirm: z.unknown().optional(),
}, { message: 'Send an object such as {"plan": "heroku-postgresql:essential-0"}.' });

const attachBody = z.object({
  addon: identity,
  app: identity,
  name: z.string().nullish(),
  confirm: z.unknown().optional(),
  namespace: z.string().nullish(),
}, { message: 'Send an object such as {"addon": "postgresql-shaped-12345", "app": "myapp", "name": "DATABASE"}.' });

const resolveAddonBody = z.object({ addon: z.string().min(1), app: z.string().nullish(), addon_service: z.string().nullish() });
const resolveAttachmentBody = z.object({ addon_attachment: z.string().min(1), app: z.string().nullish(), addon_service: z.string().nullish() });

/** `heroku addons`, `addons:create`, `addons:destroy`, `addons:attach`, `addons:detach`: add-ons recorded and provisioned by the release service. */
@Injectable()
export class AddonsService {
  private catalogue: AddonServiceInfo[] | undefined;

  constructor(private readonly rpc: RpcClient) {}

  async services() {
    return (await this.services_()).map(presentAddonService);
  }

  async service(ref: string) {
    return presentAddonService(await this.serviceOf(ref));
  }

  async plans(ref: string) {
    const s = await this.serviceOf(ref);
    return s.plans.map((p) => presentPlan(s, p));
  }

  async plan(serviceRef: string, planRef: string) {
    const s = await this.serviceOf(serviceRef);
    const p = s.plans.find((x) => x.id === planRef || x.name === planRef || x.name === `${s.name}:${planRef}`);
    if (!p) throw notFound(`Couldn't find that plan (${planRef}). ${s.name}'s plans: ${s.plans.map((x) => x.name).join(', ')}.`);
    return presentPlan(s, p);
  }

  async list(actor: Actor, app?: string) {
    const addons = await this.rpc.request(ListAddons, { ...(app === undefined ? {} : { app }), ...scopeOf(actor) });
    const catalogue = await this.services_();
    return addons.map((a) => presentAddon(a, catalogue));
  }

  async get(actor: Actor, addon: string, app?: string) {
    const a = await this.rpc.request(GetAddon, { addon, ...(app === undefined ? {} : { app }), ...scopeOf(actor) });
    return presentAddon(a, await this.services_());
  }

  async create(actor: Actor, app: string, body: unknown) {
    const b = createBody.parse(body);
    const config = Object.keys(b.config ?? {});
    if (config.length > 0) throw invalid(`These add-ons take no config options (got ${config.join(', ')}); create it without them.`);
    const plan = await this.planName(b.plan);
    const a = await this.rpc.request(CreateAddon, {
      app, plan, ...(b.name ? { name: b.name } : {}), ...(b.attachment?.name ? { attachmentName: b.attachment.name } : {}), by: actor.email, ...scopeOf(actor),
    });
    return presentAddon(a, await this.services_());
  }

  async destroy(actor: Actor, app: string, addon: string) {
    const a = await this.rpc.request(DestroyAddon, { app, addon, by: actor.email, ...scopeOf(actor) });
    return presentAddon(a, await this.services_());
  }

  async attachments(actor: Actor, filter: { app?: string; addon?: string } = {}) {
    return (await this.rpc.request(ListAddonAttachments, { ...filter, ...scopeOf(actor) })).map(presentAttachment);
  }

  async attachment(actor: Actor, attachment: string, app?: string) {
    return presentAttachment(await this.rpc.request(GetAddonAttachment, { attachment, ...(app === undefined ? {} : { app }), ...scopeOf(actor) }));
  }

  async attach(actor: Actor, body: unknown) {
    const b = attachBody.parse(body);
    const t = await this.rpc.request(CreateAddonAttachment, { app: b.app, addon: b.addon, ...(b.name ? { name: b.name } : {}), by: actor.email, ...scopeOf(actor) });
    return presentAttachment(t);
  }

  async detach(actor: Actor, id: string) {
    const attachment = z.uuid({ message: `Couldn't find that add-on attachment (${id}).` }).safeParse(id);
    if (!attachment.success) throw notFound(`Couldn't find that add-on attachment (${id}).`);
    return presentAttachment(await this.rpc.request(DeleteAddonAttachment, { attachment: attachment.data, by: actor.email, ...scopeOf(actor) }));
  }

  /** The CLI's add-on lookup: by id or name, within the app when one is given, else anywhere the actor can see. */
  async resolveAddon(actor: Actor, body: unknown) {
    const b = resolveAddonBody.parse(body);
    const ref = b.addon.includes('::') ? b.addon.split('::')[1]! : b.addon;
    const inApp = b.app ? (await this.list(actor, b.app)).filter((a) => a.id === ref || a.name === ref || a.config_vars.includes(`${ref.toUpperCase()}_URL`)) : [];
    const found = inApp.length > 0 ? inApp : [await this.get(actor, ref)];
    return b.addon_service ? found.filter((a) => a.addon_service.name === b.addon_service) : found;
  }

  /** The CLI's attachment lookup: by id, or by name within the app. */
  async resolveAttachment(actor: Actor, body: unknown) {
    const b = resolveAttachmentBody.parse(body);
    const all = await this.attachments(actor, b.app ? { app: b.app } : {});
    const ref = b.addon_attachment;
    const found = all.filter((t) => t.id === ref || t.name === ref.toUpperCase() || t.addon.name === ref);
    if (found.length === 0) throw notFound(`Couldn't find that add-on attachment (${ref}).`);
    return found;
  }

  private async services_(): Promise<AddonServiceInfo[]> {
    this.catalogue ??= await this.rpc.request(ListAddonServices, {});
    return this.catalogue;
  }

  private async serviceOf(ref: string): Promise<AddonServiceInfo> {
    const all = await this.services_();
    const s = all.find((x) => x.id === ref || x.name === ref);
    if (!s) throw notFound(`Couldn't find that add-on service (${ref}). Available services: ${all.map((x) => x.name).join(', ')}.`);
    return s;
  }

  /** A plan given by id becomes its name; names pass through for the release service to check. */
  private async planName(ref: string): Promise<string> {
    const plan = (await this.services_()).flatMap((s) => s.plans).find((p) => p.id === ref);
    return plan ? plan.name : ref;
  }
}
