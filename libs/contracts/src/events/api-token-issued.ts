import { z } from 'zod';
import { defineEvent } from '../envelope.js';

/**
 * An API token was issued to the account (appId = account id); only its sha256 is kept.
 * Never published to NATS: it carries the token hash.
 */
export const ApiTokenIssued = defineEvent('ApiTokenIssued', 1, z.strictObject({
  tokenId: z.uuid(),
  tokenHash: z.string().regex(/^[0-9a-f]{64}$/),
  description: z.string(),
  expiresAt: z.iso.datetime({ offset: true }).nullable(),
}));
