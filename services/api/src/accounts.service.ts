import { Injectable } from '@nestjs/common';
import { z } from 'zod';
import {
  AddCollaborator, Authenticate, GetApp, CreateAccount, IssueToken, ListCollaborators, ListTokens, PaasError, RemoveCollaborator, RevokeToken,
  type AccountInfo, type TokenInfo,
} from '@paas/contracts';
import { RpcClient } from '@paas/messaging';
import { presentedKey } from './api-key.js';
import { AuthGuard } from './auth.guard.js';
import { scopeOf, type Actor } from './actor.js';
import { presentCollaborator } from './domain/presenters.js';

const accountBody = z.object({ email: z.string(), password: z.string() });
const authorizationBody = z.object({ description: z.string().max(200).optional(), expires_in: z.coerce.number().int().positive().optional() }).nullish();
const collaboratorBody = z.object({ user: z.string().min(1, 'user is required: the email of the account to add') });

/** Accounts, API tokens (Heroku's OAuth authorizations) and app collaborators. */
@Injectable()
export class AccountsService {
  constructor(private readonly rpc: RpcClient, private readonly guard: AuthGuard) {}

  /** Creates a user account; only the admin may. */
  async createAccount(actor: Actor, body: unknown) {
    if (!actor.admin) throw new PaasError('forbidden', 'Only the platform admin (the API key) can create accounts.');
    const b = accountBody.parse(body);
    return presentAccount(await this.rpc.request(CreateAccount, { email: b.email, password: b.password }));
  }

  /**
   * `heroku login`: Basic auth with email and password (or a user's token) gives a new API token,
   * shown once. The admin key has no account to issue tokens for.
   */
  async authorize(authorization: string | undefined, body: unknown) {
    const b = authorizationBody.parse(body) ?? {};
    const account = await this.accountOf(authorization);
    const issued = await this.rpc.request(IssueToken, { accountId: account.id, description: b.description ?? 'API token', expiresInSeconds: b.expires_in });
    return presentAuthorization(account, issued, issued.token);
  }

  /**
   * The caller's live tokens. Only hashes are stored, so no token value can be shown, except the
   * one the caller is presenting right now: `heroku logout` finds the token to revoke by its value.
   */
  async listAuthorizations(actor: Actor, presented: string | undefined) {
    if (!actor.accountId) return [];
    const account = { id: actor.accountId, email: actor.email, createdAt: '' };
    return (await this.rpc.request(ListTokens, { accountId: actor.accountId }))
      .filter((t) => !t.revokedAt)
      .map((t) => presentAuthorization(account, t, t.id === actor.tokenId ? presented ?? null : null));
  }

  /** `heroku logout` / `authorizations:revoke`: the token stops working at once on this api, within seconds elsewhere. */
  async revokeAuthorization(actor: Actor, id: string) {
    if (!actor.accountId) throw new PaasError('not_found', "Couldn't find that authorization.");
    const revoked = await this.rpc.request(RevokeToken, { accountId: actor.accountId, tokenId: z.uuid().parse(id) });
    this.guard.forgetAll();
    return presentAuthorization({ id: actor.accountId, email: actor.email, createdAt: '' }, revoked, null);
  }

  async collaborators(actor: Actor, app: string) {
    const a = await this.rpc.request(GetApp, { app, ...scopeOf(actor) });
    return (await this.rpc.request(ListCollaborators, { app: a.id, ...scopeOf(actor) })).map((c) => presentCollaborator(a, c));
  }

  async addCollaborator(actor: Actor, app: string, body: unknown) {
    const { user } = collaboratorBody.parse(body);
    const a = await this.rpc.request(GetApp, { app, ...scopeOf(actor) });
    return presentCollaborator(a, await this.rpc.request(AddCollaborator, { app: a.id, email: user, by: actor.email, ...scopeOf(actor) }));
  }

  async removeCollaborator(actor: Actor, app: string, email: string) {
    const a = await this.rpc.request(GetApp, { app, ...scopeOf(actor) });
    return presentCollaborator(a, await this.rpc.request(RemoveCollaborator, { app: a.id, email, by: actor.email, ...scopeOf(actor) }));
  }

  private async accountOf(authorization: string | undefined): Promise<AccountInfo> {
    const [scheme, value = ''] = (authorization ?? '').split(/\s+/, 2);
    if (/^basic$/i.test(scheme)) {
      const decoded = Buffer.from(value, 'base64').toString('utf8');
      const i = decoded.indexOf(':');
      const user = i < 0 ? '' : decoded.slice(0, i);
      if (user.includes('@')) return this.rpc.request(Authenticate, { email: user, password: decoded.slice(i + 1) });
    }
    const actor = await this.guard.resolve(presentedKey(authorization));
    if (!actor.accountId) {
      throw new PaasError('invalid_params', 'The admin key belongs to no account: create one (POST /accounts with the admin key) and log in with its email and password.');
    }
    return { id: actor.accountId, email: actor.email, createdAt: '' };
  }
}

export function presentAccount(a: AccountInfo) {
  return { id: a.id, email: a.email, created_at: a.createdAt, updated_at: a.createdAt };
}

/** An API token as Heroku's OAuth authorization; the token value only when it was just issued. */
export function presentAuthorization(account: AccountInfo, t: TokenInfo, token: string | null) {
  const expiresIn = t.expiresAt ? Math.max(0, Math.round((Date.parse(t.expiresAt) - Date.now()) / 1000)) : null;
  return {
    id: t.id,
    description: t.description,
    scope: ['global'],
    access_token: { id: t.id, token, expires_in: expiresIn },
    refresh_token: null,
    grant: null,
    client: null,
    session: null,
    user: { id: account.id, email: account.email, full_name: null },
    created_at: t.createdAt,
    updated_at: t.createdAt,
  };
}
