import { z } from 'zod';
import { defineEvent } from '../envelope.js';
import { appName } from '../common.js';
import { drainToken, drainUrl } from '../log-drains.js';

/**
 * A log drain now receives the app's log. The url may carry credentials (user:password, query
 * tokens): it lives in the event log like config var values do, and is never written to a log.
 */
export const LogDrainAdded = defineEvent('LogDrainAdded', 1, z.strictObject({
  appName,
  drainId: z.uuid(),
  url: drainUrl,
  token: drainToken,
  by: z.string(),
}));
