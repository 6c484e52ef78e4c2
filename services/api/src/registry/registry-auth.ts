import { Injectable, Logger } from '@nestjs/common';
import { GetApp, isPaasError } from '@paas/contracts';
import { RpcClient } from '@paas/messaging';
import { scopeOf, type Actor } from '../actor.js';
import { presentedKey, sameSecret } from '../api-key.js';
import { AuthGuard } from '../auth.guard.js';
import { grantAccess, parseScopes, requestedApps, type Access, type Grantee } from '../domain/registry-access.js';
import { RegistryService } from './registry.service.js';

/** The registry's name for the dyno-manager in tokens (it authenticates with the pull secret). */
const PULLER = 'paas-dyno-manager';

/**
 * The registry's token server (Docker token auth): Basic auth with any user name and an API token
 * (or the platform key) as password; grants push and pull on `<app>/<type>` for apps the caller
 * may deploy, pull alone to the dyno-manager's pull secret, nothing else.
 */
@Injectable()
export class RegistryAuth {
  private readonly log = new Logger('registry');

  constructor(private readonly guard: AuthGuard, private readonly rpc: RpcClient, private readonly registry: RegistryService) {}

  /** A token for the scopes asked (those not allowed are left out); PaasError unauthorized for bad credentials. */
  async issue(authorization: string | undefined, scopes: readonly string[]) {
    const password = presentedKey(authorization);
    const requests = parseScopes(scopes);
    let subject: string;
    let who: Grantee;
    if (password !== undefined && sameSecret(password, await this.registry.pullSecret())) {
      subject = PULLER;
      who = { kind: 'puller' };
    } else {
      const actor = await this.guard.resolve(password);
      subject = actor.email;
      who = { kind: 'user', admin: actor.admin, apps: await this.deployable(actor, requestedApps(requests)) };
    }
    const granted = grantAccess(requests, who);
    if (requests.length) this.log.debug(`registry token for ${subject}: ${describe(granted)} (asked ${requests.length} scope(s))`);
    return this.registry.token(subject, granted);
  }

  /** The token the api itself uses to read a repository (manifests and image configs). */
  async ownPullToken(repository: string): Promise<string> {
    const granted: Access[] = [{ type: 'repository', name: repository, actions: ['pull'] }];
    return (await this.registry.token('paas-api', granted)).token;
  }

  /** Which of the named apps the actor may deploy (sees: owner, collaborator, or the admin). */
  private async deployable(actor: Actor, apps: readonly string[]): Promise<Set<string>> {
    const found = new Set<string>();
    await Promise.all(apps.map(async (app) => {
      try {
        await this.rpc.request(GetApp, { app, ...scopeOf(actor) });
        found.add(app);
      } catch (err) {
        if (!isPaasError(err) || err.id !== 'not_found') throw err;
      }
    }));
    return found;
  }
}

function describe(granted: readonly Access[]): string {
  return granted.length ? granted.map((g) => `${g.type}:${g.name}:${g.actions.join(',')}`).join(' ') : 'nothing granted';
}
