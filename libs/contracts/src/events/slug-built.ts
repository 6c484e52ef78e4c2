import { z } from 'zod';
import { defineEvent } from '../envelope.js';
import { appName, slug } from '../common.js';

/** The build succeeded and its slug is stored; the release service makes a release of it. */
export const SlugBuilt = defineEvent('SlugBuilt', 1, z.strictObject({
  appName,
  buildId: z.uuid(),
  slug,
}));
