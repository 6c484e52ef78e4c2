import { z } from 'zod';
import { defineEvent } from '../envelope.js';
import { appName } from '../common.js';

/**
 * A release's release phase decided its fate: `succeeded` (its dynos run) or `failed` (it is never
 * deployed; the app stays on the last release that did not fail). Only releases whose slug has a
 * Procfile `release:` command are `pending` until then; the others succeed when they are created.
 */
export const ReleaseStatusChanged = defineEvent('ReleaseStatusChanged', 1, z.strictObject({
  appName,
  releaseId: z.uuid(),
  version: z.number().int().positive(),
  status: z.enum(['succeeded', 'failed']),
  /** The release command's exit status; null when it did not run to the end. */
  exitCode: z.number().int().nullable(),
  /** The one-off dyno that ran the release command: release.1234. */
  dyno: z.string().min(1),
  /** Who made the release (its ReleaseCreated's `by`). */
  by: z.string(),
}));
