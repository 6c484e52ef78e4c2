import { z } from 'zod';
import { defineEvent } from '../envelope.js';
import { appName, domainHostname } from '../common.js';

/** A custom domain no longer belongs to the app; another app may add it now. */
export const DomainRemoved = defineEvent('DomainRemoved', 1, z.strictObject({
  appName,
  hostname: domainHostname,
  by: z.string(),
}));
