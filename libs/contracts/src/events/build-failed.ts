import { z } from 'zod';
import { defineEvent } from '../envelope.js';
import { appName } from '../common.js';

/** The build failed; `reason` is the message shown to the pusher. Nothing is released. */
export const BuildFailed = defineEvent('BuildFailed', 1, z.strictObject({
  appName,
  buildId: z.uuid(),
  commit: z.string().nullable(),
  reason: z.string(),
}));
