import { z } from 'zod';
import { defineRpc } from './define.js';
import { configVarName } from '../common.js';
import { addonName, addonState, attachmentName } from '../addons.js';

/** Add-ons are recorded by the release service (events in the owning app's stream), which also provisions them. */

const appRef = z.string().min(1).max(64);
/** An add-on as users name it: its id or its name. */
const addonRef = z.string().min(1).max(100);
const by = z.string().min(1);
const actor = z.string().optional();
const ref = z.strictObject({ id: z.uuid(), name: z.string() });

export const addonPlanInfo = z.strictObject({
  id: z.uuid(),
  /** "heroku-postgresql:essential-0". */
  name: z.string(),
  humanName: z.string(),
  description: z.string(),
  priceCentsPerMonth: z.number().int().nonnegative(),
  default: z.boolean(),
  /** What the plan allows, as recorded (e.g. connections 20, storageGb 1). */
  limits: z.record(z.string(), z.number()),
});
export type AddonPlanInfo = z.infer<typeof addonPlanInfo>;

export const addonServiceInfo = z.strictObject({
  id: z.uuid(),
  name: z.string(),
  humanName: z.string(),
  plans: z.array(addonPlanInfo),
});
export type AddonServiceInfo = z.infer<typeof addonServiceInfo>;

export const addonInfo = z.strictObject({
  id: z.uuid(),
  name: addonName,
  app: ref,
  service: ref,
  plan: ref,
  state: addonState,
  /** Config var names its attachments set on its own app. */
  configVars: z.array(configVarName),
  /** Why provisioning failed, for a deprovisioned add-on that never was. */
  provisionMessage: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type AddonInfo = z.infer<typeof addonInfo>;

export const addonAttachmentInfo = z.strictObject({
  id: z.uuid(),
  name: attachmentName,
  app: ref,
  addon: z.strictObject({ id: z.uuid(), name: addonName, app: ref }),
  configVars: z.array(configVarName),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type AddonAttachmentInfo = z.infer<typeof addonAttachmentInfo>;

export const ListAddonServices = defineRpc('release', 'ListAddonServices', z.strictObject({}), z.array(addonServiceInfo));
/** The add-ons attached to the app (its own and shared ones); without an app, every add-on the actor can see. */
export const ListAddons = defineRpc('release', 'ListAddons', z.strictObject({ app: appRef.optional(), actor }), z.array(addonInfo));
export const GetAddon = defineRpc('release', 'GetAddon', z.strictObject({ addon: addonRef, app: appRef.optional(), actor }), addonInfo);
/** `plan` as users type it: "heroku-postgresql" or "heroku-postgresql:essential-0"; checked against the catalogue. */
export const CreateAddon = defineRpc('release', 'CreateAddon', z.strictObject({
  app: appRef, plan: z.string().min(1).max(200), name: z.string().max(100).optional(), attachmentName: z.string().max(100).optional(), by, actor,
}), addonInfo);
export const DestroyAddon = defineRpc('release', 'DestroyAddon', z.strictObject({ app: appRef, addon: addonRef, by, actor }), addonInfo);
export const ListAddonAttachments = defineRpc('release', 'ListAddonAttachments',
  z.strictObject({ app: appRef.optional(), addon: addonRef.optional(), actor }), z.array(addonAttachmentInfo));
/** One attachment by id, or by name within `app`. */
export const GetAddonAttachment = defineRpc('release', 'GetAddonAttachment',
  z.strictObject({ attachment: z.string().min(1).max(100), app: appRef.optional(), actor }), addonAttachmentInfo);
export const CreateAddonAttachment = defineRpc('release', 'CreateAddonAttachment', z.strictObject({
  app: appRef, addon: addonRef, name: z.string().max(100).optional(), by, actor,
}), addonAttachmentInfo);
export const DeleteAddonAttachment = defineRpc('release', 'DeleteAddonAttachment',
  z.strictObject({ attachment: z.uuid(), by, actor }), addonAttachmentInfo);
