import { createHash } from 'node:crypto';
import { createParamDecorator, type ExecutionContext } from '@nestjs/common';

/** Who is calling: the admin (the platform's API key) or a user (one of their API tokens). */
export interface Actor {
  readonly email: string;
  readonly admin: boolean;
  readonly accountId: string | null;
  readonly tokenId: string | null;
}

export function adminActor(email: string): Actor {
  return { email, admin: true, accountId: null, tokenId: null };
}

/** The `actor` field of app-scoped requests: absent for the admin, who sees every app. */
export function scopeOf(actor: Actor): { actor?: string } {
  return actor.admin ? {} : { actor: actor.email };
}

/** Tokens are looked up by their sha256, never by their value. */
export function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** The actor the AuthGuard put on the request. */
export const CurrentActor = createParamDecorator((_: unknown, ctx: ExecutionContext): Actor => {
  const actor = ctx.switchToHttp().getRequest<{ actor?: Actor }>().actor;
  if (!actor) throw new Error('no actor on the request: is the route public?');
  return actor;
});
