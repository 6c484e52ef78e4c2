import { ATTACHMENT_NAME_PATTERN, conflict, illegalState, invalid, notFound, type AddonState } from '@paas/contracts';
import { colorName, type AttachSpec } from './addon-catalogue.js';
import { applyChanges, liveRelease, type AppEvent, type AppState } from './app-state.js';
import { release, type DecideContext } from './decide.js';

/** An add-on the app owns, as its stream tells it. */
export interface AddonRecord {
  readonly id: string;
  readonly name: string;
  readonly service: string;
  readonly plan: string;
  readonly state: AddonState;
  /** Its credentials once provisioned. */
  readonly url: string | null;
}

/** An add-on (the app's own or another app's) attached to the app under a name. */
export interface AttachmentRecord {
  readonly id: string;
  readonly name: string;
  readonly addonId: string;
  readonly addonName: string;
  readonly addonAppId: string;
  readonly vars: readonly string[];
}

/** An add-on to attach: what the attaching app's stream needs to know of it. */
export interface AttachRequest {
  readonly attachmentId: string;
  /** As the user typed it ("database", "DATABASE"); absent picks the service's default name. */
  readonly name?: string;
  readonly addon: { readonly id: string; readonly name: string; readonly appId: string; readonly url: string; readonly attach: AttachSpec };
}

export type AddonCommand =
  | { readonly type: 'CreateAddon'; readonly addonId: string; readonly name: string; readonly service: string; readonly plan: string; readonly by: string }
  | { readonly type: 'CompleteAddon'; readonly addonId: string; readonly url: string; readonly attach: Omit<AttachRequest, 'addon'> & { attachSpec: AttachSpec }; readonly by: string }
  | { readonly type: 'FailAddon'; readonly addonId: string; readonly reason: string; readonly by: string }
  | { readonly type: 'AttachAddon'; readonly attach: AttachRequest; readonly by: string }
  | { readonly type: 'DetachAddon'; readonly attachmentId: string; readonly by: string }
  | { readonly type: 'DestroyAddon'; readonly addonId: string; readonly by: string };

/** Decides the events of an add-on command on the app (the owner, or the app an attachment is on). */
export function decideAddon(c: AddonCommand, state: AppState, ctx: DecideContext): AppEvent[] {
  switch (c.type) {
    case 'CreateAddon': {
      if (state.addons.some((a) => a.id === c.addonId)) return []; // a retried create: already recorded
      return [{ type: 'AddonCreated', data: { appName: state.name, addonId: c.addonId, name: c.name, service: c.service, plan: c.plan, by: c.by } }];
    }
    case 'CompleteAddon': {
      const addon = ownAddon(state, c.addonId);
      if (addon.state === 'provisioned') return []; // provisioned by an earlier try
      if (addon.state === 'deprovisioned') throw illegalState(`${addon.name} was deprovisioned; it cannot be provisioned again.`);
      const provisioned: AppEvent = { type: 'AddonProvisioned', data: { appName: state.name, addonId: addon.id, name: addon.name, url: c.url } };
      const request = { attachmentId: c.attach.attachmentId, name: c.attach.name, addon: { id: addon.id, name: addon.name, appId: state.id, url: c.url, attach: c.attach.attachSpec } };
      return [provisioned, ...attach(state, request, c.by, ctx)];
    }
    case 'FailAddon': {
      const addon = ownAddon(state, c.addonId);
      if (addon.state !== 'provisioning') return [];
      return [{ type: 'AddonDeprovisioned', data: { appName: state.name, addonId: addon.id, name: addon.name, reason: c.reason, by: c.by } }];
    }
    case 'AttachAddon':
      return attach(state, c.attach, c.by, ctx);
    case 'DetachAddon':
      return detach(state, c.attachmentId, c.by, ctx);
    case 'DestroyAddon':
      return destroy(state, c.addonId, c.by, ctx);
  }
}

/** Applies an add-on event to the app; config vars change through the ConfigVarsChanged that goes with it. */
export function evolveAddons(s: AppState, e: AppEvent): AppState {
  switch (e.type) {
    case 'AddonCreated':
      return { ...s, addons: [...s.addons, { id: e.data.addonId, name: e.data.name, service: e.data.service, plan: e.data.plan, state: 'provisioning', url: null }] };
    case 'AddonProvisioned':
      return { ...s, addons: s.addons.map((a) => (a.id === e.data.addonId ? { ...a, state: 'provisioned', url: e.data.url } : a)) };
    case 'AddonDeprovisioned':
      return { ...s, addons: s.addons.map((a) => (a.id === e.data.addonId ? { ...a, state: 'deprovisioned', url: null } : a)) };
    case 'AddonAttached': {
      const d = e.data;
      return { ...s, attachments: [...s.attachments, { id: d.attachmentId, name: d.name, addonId: d.addonId, addonName: d.addonName, addonAppId: d.addonAppId, vars: d.configVars }] };
    }
    case 'AddonDetached':
      return { ...s, attachments: s.attachments.filter((a) => a.id !== e.data.attachmentId) };
    default:
      return s;
  }
}

/** The config a rollback releases: the old release's, with the add-ons attached now (rollbacks never change add-ons). */
export function withAttachedVars(config: Readonly<Record<string, string>>, state: AppState): Record<string, string> {
  const attached = state.attachments.flatMap((a) => a.vars).filter((v) => v in state.config);
  return { ...config, ...Object.fromEntries(attached.map((v) => [v, state.config[v]!])) };
}

function ownAddon(state: AppState, addonId: string): AddonRecord {
  const addon = state.addons.find((a) => a.id === addonId);
  if (!addon) throw notFound(`Couldn't find that add-on on ${state.name}.`);
  return addon;
}

function attach(state: AppState, r: AttachRequest, by: string, ctx: DecideContext): AppEvent[] {
  const already = state.attachments.find((a) => a.addonId === r.addon.id);
  if (already) throw invalid(`${r.addon.name} is already attached to ${state.name} as ${already.name}.`);
  const name = attachmentNameOf(state, r);
  const vars = [`${name}_URL`];
  const spec = r.addon.attach;
  if (spec.colorAlias && name === spec.primary) vars.push(`${colorName(spec.prefix, r.addon.id, (n) => nameTaken(state, n))}_URL`);
  const set = vars.find((v) => v in state.config);
  if (set) throw invalid(`${set} is already set on ${state.name}: unset it (heroku config:unset ${set}) or attach under another name (--as).`);
  const changes = Object.fromEntries(vars.map((v) => [v, r.addon.url]));
  return [
    { type: 'AddonAttached', data: { appName: state.name, attachmentId: r.attachmentId, name, addonId: r.addon.id, addonName: r.addon.name, addonAppId: r.addon.appId, configVars: vars, by } },
    ...configRelease(state, changes, `Attach ${name} (@ref:${r.addon.name})`, by, ctx),
  ];
}

/** The attachment name asked for (normalized) or the service's default; taken names are refused. */
function attachmentNameOf(state: AppState, r: AttachRequest): string {
  const spec = r.addon.attach;
  if (r.name === undefined || r.name.trim() === '') {
    return nameTaken(state, spec.primary) ? colorName(spec.prefix, r.addon.id, (n) => nameTaken(state, n)) : spec.primary;
  }
  const name = r.name.trim().toUpperCase().replace(/-/g, '_').replace(/_URL$/, '');
  if (!ATTACHMENT_NAME_PATTERN.test(name)) throw invalid(`Attachment name "${r.name}" is invalid: start with a letter and use letters, digits and underscores (e.g. DATABASE).`);
  if (state.attachments.some((a) => a.name === name)) throw conflict(`${name} is already an attachment on ${state.name}: choose another name (--as).`);
  return name;
}

function nameTaken(state: AppState, name: string): boolean {
  return state.attachments.some((a) => a.name === name || a.vars.includes(`${name}_URL`)) || `${name}_URL` in state.config;
}

function detach(state: AppState, attachmentId: string, by: string, ctx: DecideContext): AppEvent[] {
  const a = state.attachments.find((x) => x.id === attachmentId);
  if (!a) throw notFound(`Couldn't find that add-on attachment on ${state.name}.`);
  const own = state.addons.find((x) => x.id === a.addonId);
  if (own && own.state !== 'deprovisioned' && state.attachments.filter((x) => x.addonId === a.addonId).length === 1) {
    throw illegalState(`${a.name} attaches ${a.addonName} to the app that owns it (${state.name}); destroy the add-on instead: heroku addons:destroy ${a.addonName} -a ${state.name}.`);
  }
  return detachEvents(state, [a], by, ctx);
}

function destroy(state: AppState, addonId: string, by: string, ctx: DecideContext): AppEvent[] {
  const addon = ownAddon(state, addonId);
  if (addon.state === 'deprovisioned') return [];
  const mine = state.attachments.filter((a) => a.addonId === addonId);
  return [
    ...detachEvents(state, mine, by, ctx),
    { type: 'AddonDeprovisioned', data: { appName: state.name, addonId, name: addon.name, reason: null, by } },
  ];
}

function detachEvents(state: AppState, attachments: readonly AttachmentRecord[], by: string, ctx: DecideContext): AppEvent[] {
  if (attachments.length === 0) return [];
  const detached: AppEvent[] = attachments.map((a) => ({
    type: 'AddonDetached', data: { appName: state.name, attachmentId: a.id, name: a.name, addonId: a.addonId, addonName: a.addonName, by },
  }));
  const changes = Object.fromEntries(attachments.flatMap((a) => a.vars).filter((v) => v in state.config).map((v) => [v, null]));
  const description = attachments.map((a) => `Detach ${a.name} (@ref:${a.addonName})`).join(', ');
  return [...detached, ...configRelease(state, changes, description, by, ctx)];
}

/** A config change and the release carrying it, described as the add-on change that made it. */
function configRelease(state: AppState, changes: Record<string, string | null>, description: string, by: string, ctx: DecideContext): AppEvent[] {
  if (Object.keys(changes).length === 0) return [];
  return [
    { type: 'ConfigVarsChanged', data: { appName: state.name, changes, by } },
    release(state, ctx, { description, slug: liveRelease(state)?.slug ?? null, config: applyChanges(state.config, changes), by }),
  ];
}
