import { z } from 'zod';
import { defineEvent } from '../envelope.js';
import { appName } from '../common.js';

/** The app went into (or out of) maintenance mode: while on, the router answers H80. No release follows. */
export const MaintenanceChanged = defineEvent('MaintenanceChanged', 1, z.strictObject({
  appName,
  maintenance: z.boolean(),
  by: z.string(),
}));
