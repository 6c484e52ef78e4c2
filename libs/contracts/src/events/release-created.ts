import { z } from 'zod';
import { defineEvent } from '../envelope.js';
import { appName, configVars, slug } from '../common.js';

/** A new immutable release: a slug (none for v1) plus the config vars dynos run with. */
export const ReleaseCreated = defineEvent('ReleaseCreated', 1, z.strictObject({
  appName,
  releaseId: z.uuid(),
  version: z.number().int().positive(),
  description: z.string(),
  slug: slug.nullable(),
  config: configVars,
  by: z.string(),
  buildId: z.uuid().nullable(),
  rollbackOf: z.number().int().positive().nullable(),
}));
