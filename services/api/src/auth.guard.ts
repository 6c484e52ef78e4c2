import { Injectable, SetMetadata, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { PaasError, VerifyToken } from '@paas/contracts';
import { RpcClient } from '@paas/messaging';
import { presentedKey, sameSecret } from './api-key.js';
import { adminActor, tokenHash, type Actor } from './actor.js';

const PUBLIC = 'paas:public';
/** Marks a route that needs no API key (health, git hooks with their own token). */
export const Public = () => SetMetadata(PUBLIC, true);

/** A revoked token stops working within this long (the guard remembers valid tokens briefly). */
const TOKEN_CACHE_MS = 5_000;

/**
 * Requires credentials on every other route, as `Authorization: Bearer <key>` or as the Basic auth
 * password: the admin key, or a user's API token (checked by the release service). Puts the
 * caller on the request as `actor`.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  private readonly cache = new Map<string, { actor: Actor; until: number }>();

  constructor(
    private readonly reflector: Reflector,
    private readonly key: { value: string },
    private readonly adminEmail: string,
    private readonly rpc: RpcClient,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC, [ctx.getHandler(), ctx.getClass()])) return true;
    const req = ctx.switchToHttp().getRequest<Request & { actor?: Actor }>();
    req.actor = await this.resolve(presentedKey(req.headers.authorization));
    return true;
  }

  /** The actor for a presented key or token; 401 with Heroku's wording otherwise. */
  async resolve(presented: string | undefined): Promise<Actor> {
    if (!presented) throw new PaasError('unauthorized', 'No credentials provided. Send your API key as "Authorization: Bearer <key>".');
    if (sameSecret(presented, this.key.value)) return adminActor(this.adminEmail);
    const hash = tokenHash(presented);
    const cached = this.cache.get(hash);
    if (cached && cached.until > Date.now()) return cached.actor;
    const account = await this.rpc.request(VerifyToken, { tokenHash: hash }).catch((err) => {
      if (err instanceof PaasError && err.id === 'unauthorized') throw new PaasError('unauthorized', 'Invalid credentials provided.');
      throw err;
    });
    const actor: Actor = { email: account.email, admin: false, accountId: account.id, tokenId: account.tokenId };
    this.cache.set(hash, { actor, until: Date.now() + TOKEN_CACHE_MS });
    if (this.cache.size > 10_000) this.cache.delete(this.cache.keys().next().value!);
    return actor;
  }

  /** Forgets every remembered token (one was revoked through this api). */
  forgetAll(): void {
    this.cache.clear();
  }
}
