import { Inject, Injectable } from '@nestjs/common';
import { notFound, type AccountInfo, type CollaboratorInfo, type TokenInfo } from '@paas/contracts';
import type { AccountsTable, ApiTokensTable, Database, Kysely } from '@paas/db';
import { DB } from '../tokens.js';

/** An account as stored, with its password hash (for Authenticate only; never answered). */
export type AccountRow = AccountsTable;

/** Queries over accounts, API tokens and collaborators, answered in the contracts' shapes. */
@Injectable()
export class AccountReadModel {
  constructor(@Inject(DB) private readonly db: Kysely<Database>) {}

  /** The account of an email (lowercased here), if any. */
  async byEmail(email: string): Promise<AccountRow | undefined> {
    return this.db.selectFrom('accounts').selectAll().where('email', '=', email.toLowerCase()).executeTakeFirst();
  }

  /** The account by id, or not_found. */
  async account(id: string): Promise<AccountInfo> {
    const row = await this.db.selectFrom('accounts').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw notFound("Couldn't find that account.");
    return presentAccount(row);
  }

  /** The account's tokens, oldest first. */
  async tokens(accountId: string): Promise<TokenInfo[]> {
    const rows = await this.db.selectFrom('api_tokens').selectAll().where('account_id', '=', accountId)
      .orderBy('created_at').orderBy('id').execute();
    return rows.map(presentToken);
  }

  /** One token of the account, or not_found (also when it is another account's). */
  async token(accountId: string, tokenId: string): Promise<TokenInfo> {
    const row = await this.db.selectFrom('api_tokens').selectAll().where('account_id', '=', accountId).where('id', '=', tokenId).executeTakeFirst();
    if (!row) throw notFound("Couldn't find that token.");
    return presentToken(row);
  }

  /** The token stored under a sha256 and its account, if any (live or not: the caller decides). */
  async byTokenHash(tokenHash: string): Promise<{ token: ApiTokensTable; account: AccountRow } | undefined> {
    const token = await this.db.selectFrom('api_tokens').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
    if (!token) return undefined;
    const account = await this.db.selectFrom('accounts').selectAll().where('id', '=', token.account_id).executeTakeFirstOrThrow();
    return { token, account };
  }

  /** The app's owner (since the app was created) first, then its collaborators, oldest first. */
  async collaborators(appId: string): Promise<CollaboratorInfo[]> {
    const app = await this.db.selectFrom('apps').select(['owner', 'created_at']).where('id', '=', appId).executeTakeFirst();
    if (!app) throw notFound("Couldn't find that app.");
    const rows = await this.db.selectFrom('collaborators').selectAll().where('app_id', '=', appId)
      .orderBy('created_at').orderBy('email').execute();
    return [
      { email: app.owner, role: 'owner', createdAt: app.created_at.toISOString() },
      ...rows.map((c): CollaboratorInfo => ({ email: c.email, role: 'collaborator', createdAt: c.created_at.toISOString() })),
    ];
  }

  /** Whether the email (lowercase) collaborates on the app (the owner is checked by the caller). */
  async isCollaborator(appId: string, email: string): Promise<boolean> {
    const row = await this.db.selectFrom('collaborators').select('email').where('app_id', '=', appId).where('email', '=', email.toLowerCase()).executeTakeFirst();
    return row !== undefined;
  }

  /** Ids of the apps the email collaborates on. */
  async appIdsOf(email: string): Promise<string[]> {
    const rows = await this.db.selectFrom('collaborators').select('app_id').where('email', '=', email.toLowerCase()).execute();
    return rows.map((r) => r.app_id);
  }
}

/** An account as answered: never its password hash. */
export function presentAccount(a: AccountRow): AccountInfo {
  return { id: a.id, email: a.email, createdAt: a.created_at.toISOString() };
}

function presentToken(t: ApiTokensTable): TokenInfo {
  return {
    id: t.id, accountId: t.account_id, description: t.description, createdAt: t.created_at.toISOString(),
    expiresAt: t.expires_at?.toISOString() ?? null, revokedAt: t.revoked_at?.toISOString() ?? null,
  };
}
