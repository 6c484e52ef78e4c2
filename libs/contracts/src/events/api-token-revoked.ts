import { z } from 'zod';
import { defineEvent } from '../envelope.js';

/** The account's token no longer authenticates (appId = account id). Never published to NATS. */
export const ApiTokenRevoked = defineEvent('ApiTokenRevoked', 1, z.strictObject({
  tokenId: z.uuid(),
}));
