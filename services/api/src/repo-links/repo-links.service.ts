import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { z } from 'zod';
import {
  ACCEPTED_REPO_URLS, branchNameProblem, GetApp, GetRepoLink, invalid, LinkRepo, maskRepoUrl, notFound, PaasError, repoUrlProblem, UnlinkRepo, type RepoLinkInfo,
} from '@paas/contracts';
import { RpcClient } from '@paas/messaging';
import { scopeOf, type Actor } from '../actor.js';
import { BuildsService } from '../builds/builds.service.js';
import { decidePush, pushPayload, validSignature } from '../domain/push-webhook.js';
import { AddressGuard } from '../net/address-guard.js';
import { RepoDeploys } from './repo-deploys.js';

const linkBody = z.object({
  repo_url: z.string({ message: `repo_url is required: ${ACCEPTED_REPO_URLS}` }).min(1, `repo_url is empty: ${ACCEPTED_REPO_URLS}`),
  branch: z.string({ message: 'branch must be a string, such as "main"' }).optional(),
  auto_deploy: z.boolean({ message: 'auto_deploy: send true or false' }).optional(),
  secret: z.string({ message: 'secret must be a string (the webhook secret you also give the repository host)' }).nullish(),
}, { message: 'Send an object such as {"repo_url": "https://git.example.com/team/app.git", "branch": "main", "auto_deploy": true, "secret": "..."}.' });

const deployBody = z.object({ branch: z.string({ message: 'branch must be a string, such as "main"' }).optional() }).nullish();

/** A delivery as the webhook route hands it over: the raw body (for the signature) and the headers that matter. */
export interface Delivery {
  readonly body: unknown;
  readonly event: string | undefined;
  readonly signature: string | undefined;
  readonly contentType: string | undefined;
}

/** A link as users see it: the URL with its password masked, whether a secret is set, never the secret. */
export function presentRepoLink(l: RepoLinkInfo, base: string) {
  return {
    app: { id: l.appId, name: l.appName },
    repo_url: maskRepoUrl(l.repoUrl),
    branch: l.branch,
    auto_deploy: l.autoDeploy,
    secret_set: l.secret !== null,
    webhook_url: `${base}/hooks/repo/${l.appName}`,
    created_by: l.createdBy,
    created_at: l.createdAt,
    updated_at: l.updatedAt,
  };
}

/** Repository links: link, show, unlink, deploy a branch by hand, and the signed push webhook. */
@Injectable()
export class RepoLinksService {
  constructor(
    private readonly rpc: RpcClient,
    private readonly addresses: AddressGuard,
    private readonly deploys: RepoDeploys,
    private readonly builds: BuildsService,
  ) {}

  /** Creates or replaces the link; the URL's address is checked before anything is recorded. */
  async link(actor: Actor, app: string, body: unknown, base: string): Promise<{ created: boolean; link: ReturnType<typeof presentRepoLink> }> {
    const b = linkBody.parse(body);
    const a = await this.rpc.request(GetApp, { app, ...scopeOf(actor) });
    const url = b.repo_url.trim();
    const problem = repoUrlProblem(url);
    if (problem) throw invalid(`repo_url is invalid: ${problem}; ${ACCEPTED_REPO_URLS}.`);
    const branch = b.branch ?? 'main';
    const branchProblem = branchNameProblem(branch);
    if (branchProblem) throw invalid(`branch "${branch.slice(0, 100)}" is not a branch name: ${branchProblem}.`);
    await this.addresses.check(new URL(url));
    const existed = await this.rpc.request(GetRepoLink, { app: a.id }).then(() => true, (err) => (isNotFound(err) ? false : Promise.reject(err)));
    const link = await this.rpc.request(LinkRepo, { app: a.id, repoUrl: url, branch, autoDeploy: b.auto_deploy ?? false, secret: b.secret ?? null, by: actor.email });
    return { created: !existed, link: presentRepoLink(link, base) };
  }

  async get(actor: Actor, app: string, base: string) {
    return presentRepoLink(await this.rpc.request(GetRepoLink, { app, ...scopeOf(actor) }), base);
  }

  async unlink(actor: Actor, app: string, base: string) {
    const a = await this.rpc.request(GetApp, { app, ...scopeOf(actor) });
    return presentRepoLink(await this.rpc.request(UnlinkRepo, { app: a.id, by: actor.email }), base);
  }

  /** Deploys the head of a branch (the link's by default); answers once the build is queued. */
  async deployBranch(actor: Actor, app: string, body: unknown, base: string) {
    const b = deployBody.parse(body);
    const link = await this.rpc.request(GetRepoLink, { app, ...scopeOf(actor) });
    const branch = b?.branch ?? link.branch;
    const problem = branchNameProblem(branch);
    if (problem) throw invalid(`branch "${branch.slice(0, 100)}" is not a branch name: ${problem}.`);
    const buildId = randomUUID();
    const { commit } = await this.deploys.deploy(link, { buildId, branch, commit: null, trigger: 'manual', by: actor.email });
    return { message: `Deploying ${commit.slice(0, 7)} from ${branch}.`, build: this.build(link, buildId, commit, base) };
  }

  /**
   * One webhook delivery: 404 when the app has no link, 401 unless signed with the link's secret,
   * then ping, ignore (with the reason) or deploy in the background (202 with the build).
   */
  async hook(app: string, d: Delivery, base: string): Promise<{ status: number; body: object }> {
    const link = await this.rpc.request(GetRepoLink, { app }).catch((err) => {
      throw isNotFound(err) ? notFound(`No app named ${app} is linked to a repository.`) : err;
    });
    if (link.secret === null) {
      throw new PaasError('unauthorized', `The repository link of ${link.appName} has no secret, so deliveries cannot be verified: link it again with a "secret" and give the repository host the same one.`);
    }
    if (!Buffer.isBuffer(d.body) || !validSignature(link.secret, d.body, d.signature)) {
      throw new PaasError('unauthorized', 'Missing or wrong X-Hub-Signature-256: sign the raw body with the link\'s secret (sha256=<hex HMAC-SHA256>). Nothing was built.');
    }
    const decision = decidePush(d.event, pushPayload(d.contentType, d.body), link);
    switch (decision.action) {
      case 'ping':
        return { status: 200, body: { message: `pong: ${link.appName} deploys ${link.branch}${link.autoDeploy ? ' on every push' : ' by hand only (auto_deploy is off)'}.` } };
      case 'ignore':
        return { status: 200, body: { message: decision.reason } };
      case 'invalid':
        throw invalid(decision.reason);
      case 'deploy': {
        const buildId = randomUUID();
        this.deploys.start(link, { buildId, branch: decision.branch, commit: decision.commit, trigger: 'webhook', by: link.createdBy });
        return { status: 202, body: { message: `Deploying ${decision.commit.slice(0, 7)} from ${decision.branch}.`, build: this.build(link, buildId, decision.commit, base) } };
      }
    }
  }

  private build(link: RepoLinkInfo, id: string, commit: string, base: string) {
    return { id, status: 'pending', commit, output_stream_url: this.builds.outputUrl(base, link.appId, id) };
  }
}

function isNotFound(err: unknown): boolean {
  return (err as { id?: string }).id === 'not_found';
}
