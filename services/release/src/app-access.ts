import { Injectable } from '@nestjs/common';
import { notFound, type AppInfo } from '@paas/contracts';
import { AccountReadModel } from './adapters/account-read-model.js';
import { ReadModel } from './adapters/read-model.js';

/**
 * Who may see which app. An `actor` is an account email; absent means the admin, who sees
 * everything. An app the actor neither owns nor collaborates on is not_found, never a 403, so
 * a stranger cannot learn which names exist.
 */
@Injectable()
export class AppAccess {
  constructor(private readonly read: ReadModel, private readonly accounts: AccountReadModel) {}

  /** The live app a user means by name or id, if the actor may work on it; else not_found. */
  async app(ref: string, actor?: string): Promise<AppInfo> {
    const app = await this.read.app(ref);
    if (actor === undefined) return app;
    const who = actor.toLowerCase();
    if (app.owner.toLowerCase() === who || await this.accounts.isCollaborator(app.id, who)) return app;
    throw notFound("Couldn't find that app.");
  }

  /** The live apps the actor owns or collaborates on (every app for the admin), by name. */
  async apps(actor?: string): Promise<AppInfo[]> {
    const all = await this.read.apps();
    if (actor === undefined) return all;
    const who = actor.toLowerCase();
    const shared = new Set(await this.accounts.appIdsOf(who));
    return all.filter((a) => a.owner.toLowerCase() === who || shared.has(a.id));
  }
}
