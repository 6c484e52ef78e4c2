import { z } from 'zod';
import { defineEvent } from '../envelope.js';
import { appName } from '../common.js';

/** The app is gone: its dynos, routes and name are released. */
export const AppDestroyed = defineEvent('AppDestroyed', 1, z.strictObject({
  name: appName,
  by: z.string(),
}));
