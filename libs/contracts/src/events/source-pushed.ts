import { z } from 'zod';
import { defineEvent } from '../envelope.js';
import { appName, blobRef } from '../common.js';

/** Source for a build was received (git push or the Build API) and stored as a tarball. */
export const SourcePushed = defineEvent('SourcePushed', 1, z.strictObject({
  appName,
  buildId: z.uuid(),
  source: blobRef,
  commit: z.string().nullable(),
  ref: z.string().nullable(),
  by: z.string(),
  /** Config vars in force when the build was asked for (build-time env). */
  config: z.record(z.string(), z.string()),
}));
