import { z } from 'zod';
import { defineEvent } from '../envelope.js';
import { appName } from '../common.js';
import { addonName, attachmentName } from '../addons.js';

/**
 * The attachment is gone from this app: its config vars are removed by the ConfigVarsChanged and
 * ReleaseCreated ("Detach DATABASE (@ref:...)") that follow in the same append.
 */
export const AddonDetached = defineEvent('AddonDetached', 1, z.strictObject({
  appName,
  attachmentId: z.uuid(),
  name: attachmentName,
  addonId: z.uuid(),
  addonName,
  by: z.string(),
}));
