import { Inject, Injectable } from '@nestjs/common';
import { notFound, type RepoLinkInfo } from '@paas/contracts';
import type { Database, Kysely } from '@paas/db';
import { DB } from '../tokens.js';

/** Queries over the repo_links projection. */
@Injectable()
export class RepoLinkReadModel {
  constructor(@Inject(DB) private readonly db: Kysely<Database>) {}

  /** The app's link, secret included (for the api only); not_found when it has none. */
  async ofApp(appId: string): Promise<RepoLinkInfo> {
    const r = await this.db.selectFrom('repo_links').innerJoin('apps', 'apps.id', 'repo_links.app_id')
      .selectAll('repo_links').select('apps.name as app_name').where('repo_links.app_id', '=', appId).executeTakeFirst();
    if (!r) throw notFound('This app is not linked to a repository.');
    return {
      appId: r.app_id, appName: r.app_name, repoUrl: r.repo_url, branch: r.branch, autoDeploy: r.auto_deploy, secret: r.secret,
      createdBy: r.created_by, createdAt: r.created_at.toISOString(), updatedAt: r.updated_at.toISOString(),
    };
  }
}
