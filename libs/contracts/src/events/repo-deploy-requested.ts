import { z } from 'zod';
import { defineEvent } from '../envelope.js';
import { appName } from '../common.js';
import { branchName, commitSha } from '../repo-links.js';

/**
 * A commit of the linked repository was fetched and its build queued (the SourcePushed with the
 * same buildId follows): by a signed push webhook or a user's manual deploy. The release of that
 * build names the branch ("Deploy 1a2b3c4 from main").
 */
export const RepoDeployRequested = defineEvent('RepoDeployRequested', 1, z.strictObject({
  appName,
  buildId: z.uuid(),
  branch: branchName,
  commit: commitSha,
  trigger: z.enum(['webhook', 'manual']),
  by: z.string(),
}));
