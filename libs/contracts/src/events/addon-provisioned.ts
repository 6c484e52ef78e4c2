import { z } from 'zod';
import { defineEvent } from '../envelope.js';
import { appName } from '../common.js';
import { addonName } from '../addons.js';

/**
 * The add-on's resource exists and answers at `url`, which holds its credentials (a secret, like
 * config var values: never logged). Attachments put it into config vars.
 */
export const AddonProvisioned = defineEvent('AddonProvisioned', 1, z.strictObject({
  appName,
  addonId: z.uuid(),
  name: addonName,
  url: z.string().min(1),
}));
