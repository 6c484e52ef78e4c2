import { z } from 'zod';
import { defineEvent } from '../envelope.js';
import { appName, slug } from '../common.js';

/** The build succeeded and its slug is stored; the release service makes a release of it. */
export const SlugBuilt = defineEvent('SlugBuilt', 1, z.strictObject({
  appName,
  buildId: z.uuid(),
  slug,
  /**
   * Add-on plans the build asks for, as a buildpack's release step and app.json's `addons` do on
   * Heroku (heroku-postgresql for a Django app): the release service provisions them on the app's
   * first deploy. Absent when none.
   */
  addons: z.array(z.string().min(1).max(200)).max(50).optional(),
}));
