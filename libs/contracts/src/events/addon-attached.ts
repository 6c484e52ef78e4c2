import { z } from 'zod';
import { defineEvent } from '../envelope.js';
import { appName, configVarName } from '../common.js';
import { addonName, attachmentName } from '../addons.js';

/**
 * The add-on is attached to this app (the envelope's app, the owner or an app it is shared with)
 * under `name`; `configVars` are the names it set. A ConfigVarsChanged and a ReleaseCreated
 * ("Attach DATABASE (@ref:postgresql-shaped-12345)") follow in the same append.
 */
export const AddonAttached = defineEvent('AddonAttached', 1, z.strictObject({
  appName,
  attachmentId: z.uuid(),
  name: attachmentName,
  addonId: z.uuid(),
  addonName,
  /** The app that owns (is billed for) the add-on. */
  addonAppId: z.uuid(),
  configVars: z.array(configVarName),
  by: z.string(),
}));
