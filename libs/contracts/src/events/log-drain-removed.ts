import { z } from 'zod';
import { defineEvent } from '../envelope.js';
import { appName } from '../common.js';

/** A log drain no longer receives the app's log (removed by a user, or gone with the app). */
export const LogDrainRemoved = defineEvent('LogDrainRemoved', 1, z.strictObject({
  appName,
  drainId: z.uuid(),
  by: z.string(),
}));
