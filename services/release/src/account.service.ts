import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import {
  PaasError, type AccountInfo, type Authenticate, type CreateAccount, type IssueToken, type RequestOf, type ResponseOf, type TokenInfo, type VerifyToken,
} from '@paas/contracts';
import { AccountReadModel, presentAccount } from './adapters/account-read-model.js';
import { hashPassword, hashToken, newApiToken, verifyPassword } from './adapters/passwords.js';
import { AccountCommands } from './account-commands.js';

/** One message for every failed credential check, so a caller cannot tell which part was wrong. */
const invalidCredentials = () => new PaasError('unauthorized', 'Invalid credentials provided.');

/** Accounts and API tokens: create, authenticate, issue, verify, list and revoke. */
@Injectable()
export class AccountService {
  /** Verified against when the email is unknown, so both failures take about as long. */
  private readonly decoy = hashPassword(randomUUID());

  constructor(private readonly commands: AccountCommands, private readonly read: AccountReadModel) {}

  /** Creates an account; a taken email is a conflict (the unique email index) and nothing is written. */
  async create(req: RequestOf<typeof CreateAccount>): Promise<AccountInfo> {
    const id = randomUUID();
    await this.commands.execute(id, { type: 'CreateAccount', email: req.email, passwordHash: await hashPassword(req.password) });
    return this.read.account(id);
  }

  /** The account of an email and password, or unauthorized. */
  async authenticate(req: RequestOf<typeof Authenticate>): Promise<AccountInfo> {
    const account = await this.read.byEmail(req.email);
    const ok = await verifyPassword(req.password, account?.password_hash ?? await this.decoy);
    if (!account || !ok) throw invalidCredentials();
    return presentAccount(account);
  }

  /** Issues a token; its plain value is in this answer only. */
  async issueToken(req: RequestOf<typeof IssueToken>): Promise<ResponseOf<typeof IssueToken>> {
    const token = newApiToken();
    const tokenId = randomUUID();
    const expiresAt = req.expiresInSeconds === undefined ? null : new Date(Date.now() + req.expiresInSeconds * 1000).toISOString();
    await this.commands.execute(req.accountId, { type: 'IssueToken', tokenId, tokenHash: hashToken(token), description: req.description, expiresAt });
    return { ...(await this.read.token(req.accountId, tokenId)), token };
  }

  /** The account a live token (by its sha256) belongs to; unknown, revoked or expired is unauthorized. */
  async verifyToken(tokenHash: string, now = new Date()): Promise<ResponseOf<typeof VerifyToken>> {
    const found = await this.read.byTokenHash(tokenHash);
    if (!found || found.token.revoked_at !== null) throw invalidCredentials();
    if (found.token.expires_at !== null && found.token.expires_at.getTime() <= now.getTime()) throw invalidCredentials();
    return { ...presentAccount(found.account), tokenId: found.token.id };
  }

  /** The account's tokens (revoked and expired ones included, with their times). */
  async listTokens(accountId: string): Promise<TokenInfo[]> {
    await this.read.account(accountId);
    return this.read.tokens(accountId);
  }

  /** Revokes one of the account's tokens; revoking it again changes nothing and answers the same. */
  async revokeToken(accountId: string, tokenId: string): Promise<TokenInfo> {
    await this.commands.execute(accountId, { type: 'RevokeToken', tokenId });
    return this.read.token(accountId, tokenId);
  }
}
