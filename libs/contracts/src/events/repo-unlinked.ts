import { z } from 'zod';
import { defineEvent } from '../envelope.js';
import { appName } from '../common.js';

/** The app is no longer connected to a repository: its webhooks are refused, nothing deploys from it. */
export const RepoUnlinked = defineEvent('RepoUnlinked', 1, z.strictObject({
  appName,
  by: z.string(),
}));
