import { z } from 'zod';
import { defineEvent } from '../envelope.js';
import { appName } from '../common.js';

/** An app now exists under this name; release v1 follows in the same append. */
export const AppCreated = defineEvent('AppCreated', 1, z.strictObject({
  name: appName,
  stack: z.string(),
  region: z.string(),
  owner: z.string(),
}));
