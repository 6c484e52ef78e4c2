import { z } from 'zod';
import { defineEvent } from '../envelope.js';
import { appName } from '../common.js';

/** The account (by email) is no longer a collaborator on the app. */
export const CollaboratorRemoved = defineEvent('CollaboratorRemoved', 1, z.strictObject({
  appName,
  email: z.string(),
  by: z.string(),
}));
