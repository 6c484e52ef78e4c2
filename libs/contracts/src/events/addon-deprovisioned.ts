import { z } from 'zod';
import { defineEvent } from '../envelope.js';
import { appName } from '../common.js';
import { addonName } from '../addons.js';

/**
 * The add-on's resource is gone: destroyed by a user (reason null) or never made because
 * provisioning failed (reason says why). Its attachments were detached first.
 */
export const AddonDeprovisioned = defineEvent('AddonDeprovisioned', 1, z.strictObject({
  appName,
  addonId: z.uuid(),
  name: addonName,
  reason: z.string().nullable(),
  by: z.string(),
}));
