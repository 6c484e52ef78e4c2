import { z } from 'zod';
import { defineEvent } from '../envelope.js';
import { appName } from '../common.js';
import { addonName, addonPlanName, addonServiceName } from '../addons.js';

/**
 * An add-on now exists for the app, in state provisioning: its resource is being made. An
 * AddonProvisioned or, when making it failed, an AddonDeprovisioned with the reason follows.
 */
export const AddonCreated = defineEvent('AddonCreated', 1, z.strictObject({
  appName,
  addonId: z.uuid(),
  name: addonName,
  service: addonServiceName,
  plan: addonPlanName,
  by: z.string(),
}));
