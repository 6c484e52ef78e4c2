import { z } from 'zod';
import { defineEvent } from '../envelope.js';

/**
 * A user account now exists. Stream `account-<id>`; the envelope's appId holds the ACCOUNT id.
 * Never published to NATS: it carries the password hash.
 */
export const AccountCreated = defineEvent('AccountCreated', 1, z.strictObject({
  email: z.string(),
  passwordHash: z.string(),
}));
