import { z } from 'zod';
import { defineEvent } from '../envelope.js';
import { appName } from '../common.js';

/**
 * The release phase of a release (its Procfile `release:` command, run in a one-off dyno before
 * the release's dynos start) ended. On success the release's dynos start; on failure the previous
 * release keeps running and this release should be shown as failed.
 */
export const ReleasePhaseFinished = defineEvent('ReleasePhaseFinished', 1, z.strictObject({
  appName,
  version: z.number().int().positive(),
  /** The one-off dyno that ran it: release.1234. */
  dyno: z.string().min(1),
  command: z.string(),
  exitCode: z.number().int().nullable(),
  succeeded: z.boolean(),
}));
