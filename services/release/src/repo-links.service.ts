import { Injectable } from '@nestjs/common';
import type { GetRepoLink, LinkRepo, RecordRepoDeploy, RepoLinkInfo, RequestOf, UnlinkRepo } from '@paas/contracts';
import { RepoLinkReadModel } from './adapters/repo-link-read-model.js';
import { AppAccess } from './app-access.js';
import { CommandHandler } from './command-handler.js';

/** An app's repository link and its deploys: recorded as events of the app's stream, read from their projection. */
@Injectable()
export class RepoLinksService {
  constructor(private readonly commands: CommandHandler, private readonly read: RepoLinkReadModel, private readonly access: AppAccess) {}

  async get(req: RequestOf<typeof GetRepoLink>): Promise<RepoLinkInfo> {
    return this.read.ofApp((await this.access.app(req.app, req.actor)).id);
  }

  async link(req: RequestOf<typeof LinkRepo>): Promise<RepoLinkInfo> {
    const app = await this.access.app(req.app, req.actor);
    await this.commands.execute(app.id, { type: 'LinkRepo', repoUrl: req.repoUrl, branch: req.branch, autoDeploy: req.autoDeploy, secret: req.secret, by: req.by });
    return this.read.ofApp(app.id);
  }

  async unlink(req: RequestOf<typeof UnlinkRepo>): Promise<RepoLinkInfo> {
    const app = await this.access.app(req.app, req.actor);
    const before = await this.read.ofApp(app.id);
    await this.commands.execute(app.id, { type: 'UnlinkRepo', by: req.by });
    return before;
  }

  async recordDeploy(req: RequestOf<typeof RecordRepoDeploy>): Promise<{ recorded: boolean }> {
    const app = await this.access.app(req.app);
    const outcome = await this.commands.execute(app.id, { type: 'RecordRepoDeploy', buildId: req.buildId, branch: req.branch, commit: req.commit, trigger: req.trigger, by: req.by });
    return { recorded: outcome.events.length > 0 };
  }
}
