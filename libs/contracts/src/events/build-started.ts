import { z } from 'zod';
import { defineEvent } from '../envelope.js';
import { appName } from '../common.js';

/** A builder took the build; its output now streams on the build's output subject. */
export const BuildStarted = defineEvent('BuildStarted', 1, z.strictObject({
  appName,
  buildId: z.uuid(),
  commit: z.string().nullable(),
}));
