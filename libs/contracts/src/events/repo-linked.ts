import { z } from 'zod';
import { defineEvent } from '../envelope.js';
import { appName } from '../common.js';
import { branchName, repoUrl } from '../repo-links.js';

/**
 * The app is connected to a git repository and branch (a new link or one replacing the previous).
 * The url may carry user:token and the secret signs push webhooks: both live in the event log like
 * config var values do, and are never written to a log.
 */
export const RepoLinked = defineEvent('RepoLinked', 1, z.strictObject({
  appName,
  repoUrl,
  branch: branchName,
  /** Pushes to the branch (signed webhooks) deploy without anyone asking. */
  autoDeploy: z.boolean(),
  /** The HMAC-SHA256 key of push webhooks; null when none was set (webhooks are then refused). */
  secret: z.string().min(1).max(256).nullable(),
  by: z.string(),
}));
