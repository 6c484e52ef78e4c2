import { Injectable } from '@nestjs/common';
import type { AddCollaborator, CollaboratorInfo, RemoveCollaborator, RequestOf } from '@paas/contracts';
import { AccountReadModel } from './adapters/account-read-model.js';
import { AppAccess } from './app-access.js';
import { CommandHandler } from './command-handler.js';

/** An app's collaborators: accounts that may work on it as its owner does. */
@Injectable()
export class CollaboratorsService {
  constructor(private readonly commands: CommandHandler, private readonly accounts: AccountReadModel, private readonly access: AppAccess) {}

  /** The owner first, then the collaborators, oldest first. */
  async list(ref: string, actor?: string): Promise<CollaboratorInfo[]> {
    const app = await this.access.app(ref, actor);
    return this.accounts.collaborators(app.id);
  }

  /** Adds an existing account (looked up here, so the domain stays pure) as collaborator. */
  async add(req: RequestOf<typeof AddCollaborator>): Promise<CollaboratorInfo> {
    const app = await this.access.app(req.app, req.actor);
    const accountExists = (await this.accounts.byEmail(req.email)) !== undefined;
    await this.commands.execute(app.id, { type: 'AddCollaborator', email: req.email, accountExists, by: req.by });
    return (await this.accounts.collaborators(app.id)).find((c) => c.email === req.email.toLowerCase())!;
  }

  /** Removes a collaborator; answers with it as it was. */
  async remove(req: RequestOf<typeof RemoveCollaborator>): Promise<CollaboratorInfo> {
    const app = await this.access.app(req.app, req.actor);
    const email = req.email.toLowerCase();
    const before = (await this.accounts.collaborators(app.id)).find((c) => c.email === email);
    const outcome = await this.commands.execute(app.id, { type: 'RemoveCollaborator', email, by: req.by });
    return before ?? { email, role: 'collaborator', createdAt: outcome.events[0]!.envelope.occurredAt };
  }
}
