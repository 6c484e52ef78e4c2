import { z } from 'zod';
import { defineEvent } from '../envelope.js';
import { appName, domainHostname } from '../common.js';

/** A custom domain now belongs to the app (no release follows: domains are not part of releases). */
export const DomainAdded = defineEvent('DomainAdded', 1, z.strictObject({
  appName,
  hostname: domainHostname,
  kind: z.literal('custom'),
  by: z.string(),
}));
