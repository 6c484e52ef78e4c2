import { z } from 'zod';
import { defineRpc } from './define.js';

/** An account's email: what users log in with and what releases and events record. */
export const accountEmail = z.email({ message: 'email must be an email address' }).max(254).transform((e) => e.toLowerCase());

export const accountInfo = z.strictObject({
  id: z.uuid(),
  email: z.string(),
  createdAt: z.string(),
});
export type AccountInfo = z.infer<typeof accountInfo>;

export const tokenInfo = z.strictObject({
  id: z.uuid(),
  accountId: z.uuid(),
  description: z.string(),
  createdAt: z.string(),
  expiresAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});
export type TokenInfo = z.infer<typeof tokenInfo>;

export const collaboratorInfo = z.strictObject({
  email: z.string(),
  role: z.enum(['owner', 'collaborator']),
  createdAt: z.string(),
});
export type CollaboratorInfo = z.infer<typeof collaboratorInfo>;

const password = z.string().min(8, 'password must be at least 8 characters').max(1024);
const appRef = z.string().min(1).max(64);

/** Creates a user account (the admin does this); a taken email is a conflict. */
export const CreateAccount = defineRpc('release', 'CreateAccount', z.strictObject({ email: accountEmail, password }), accountInfo);
/** Checks an email and password; a wrong pair is unauthorized "Invalid credentials provided.". */
export const Authenticate = defineRpc('release', 'Authenticate', z.strictObject({ email: accountEmail, password: z.string().max(1024) }), accountInfo);
/** Issues an API token; its plain value is in the reply only (stored as its sha256). */
export const IssueToken = defineRpc('release', 'IssueToken',
  z.strictObject({ accountId: z.uuid(), description: z.string().max(200), expiresInSeconds: z.number().int().positive().optional() }),
  tokenInfo.extend({ token: z.string() }));
/** The account a token (given as the hex sha256 of its value) belongs to, if it is live; else unauthorized. */
export const VerifyToken = defineRpc('release', 'VerifyToken', z.strictObject({ tokenHash: z.string().regex(/^[0-9a-f]{64}$/) }), accountInfo.extend({ tokenId: z.uuid() }));
export const ListTokens = defineRpc('release', 'ListTokens', z.strictObject({ accountId: z.uuid() }), z.array(tokenInfo));
/** Revokes a token of the account; another account's token is not_found. */
export const RevokeToken = defineRpc('release', 'RevokeToken', z.strictObject({ accountId: z.uuid(), tokenId: z.uuid() }), tokenInfo);

/** The owner first, then collaborators; `actor` (an email; absent = the admin) must be one of them. */
export const ListCollaborators = defineRpc('release', 'ListCollaborators', z.strictObject({ app: appRef, actor: z.string().optional() }), z.array(collaboratorInfo));
/** Adds an existing account as collaborator; unknown email not_found, already there conflict. */
export const AddCollaborator = defineRpc('release', 'AddCollaborator', z.strictObject({ app: appRef, email: accountEmail, by: z.string(), actor: z.string().optional() }), collaboratorInfo);
/** Removes a collaborator; the owner cannot be removed (illegal_state). */
export const RemoveCollaborator = defineRpc('release', 'RemoveCollaborator', z.strictObject({ app: appRef, email: accountEmail, by: z.string(), actor: z.string().optional() }), collaboratorInfo);
