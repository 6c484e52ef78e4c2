import { Injectable, SetMetadata, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { authorize } from './api-key.js';

const PUBLIC = 'paas:public';
/** Marks a route that needs no API key (health, git hooks with their own token). */
export const Public = () => SetMetadata(PUBLIC, true);

export const API_KEY = Symbol('API_KEY');

/** Requires the admin key as `Authorization: Bearer <key>` (or as the Basic auth password) on every other route. */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(private readonly reflector: Reflector, private readonly key: { value: string }) {}

  canActivate(ctx: ExecutionContext): boolean {
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC, [ctx.getHandler(), ctx.getClass()])) return true;
    authorize(ctx.switchToHttp().getRequest<Request>().headers.authorization, this.key.value);
    return true;
  }
}
