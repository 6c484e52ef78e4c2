import { z } from 'zod';
import { defineEvent } from '../envelope.js';
import { appName } from '../common.js';

/** An existing account (by email, lowercase) may now work on the app like its owner. */
export const CollaboratorAdded = defineEvent('CollaboratorAdded', 1, z.strictObject({
  appName,
  email: z.string(),
  by: z.string(),
}));
