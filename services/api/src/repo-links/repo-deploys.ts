import { join } from 'node:path';
import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { GetConfigVars, invalid, maskRepoUrl, newLogLine, RecordRepoDeploy, SourcePushed, type Names, type RepoLinkInfo } from '@paas/contracts';
import { BuildOutput, EventPublisher, NAMES, NATS_CONNECTION, RpcClient, type NatsConnection } from '@paas/messaging';
import type { FileBlobStore } from '@paas/storage';
import type { ApiSettings } from '../config.js';
import { BLOBS, SETTINGS } from '../tokens.js';
import { fetchCommit, FetchError } from './git-fetch.js';
import { AddressGuard } from '../net/address-guard.js';

/** One deploy from the linked repository: which branch, which commit (null: the branch head), who asked. */
export interface RepoDeployRequest {
  readonly buildId: string;
  readonly branch: string;
  readonly commit: string | null;
  readonly trigger: 'webhook' | 'manual';
  readonly by: string;
}

/**
 * A deploy from a linked repository, top to bottom: check the address again, fetch exactly the
 * commit, store its tree as the source tarball, record the deploy (its release names the branch),
 * then SourcePushed, so it flows SourcePushed -> SlugBuilt -> ReleaseCreated like a git push.
 */
@Injectable()
export class RepoDeploys implements OnApplicationShutdown {
  private readonly log = new Logger('repo-deploy');
  private readonly output: BuildOutput;
  private readonly running = new Set<Promise<void>>();
  private readonly stopping = new AbortController();

  constructor(
    @Inject(SETTINGS) private readonly settings: ApiSettings,
    @Inject(BLOBS) private readonly blobs: FileBlobStore,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(NAMES) private readonly names: Names,
    private readonly publisher: EventPublisher,
    private readonly rpc: RpcClient,
    private readonly addresses: AddressGuard,
  ) {
    this.output = new BuildOutput(nc, names);
  }

  /** Fetches and queues the build; resolves once SourcePushed is out, with the commit built. */
  async deploy(link: RepoLinkInfo, r: RepoDeployRequest): Promise<{ commit: string }> {
    const shown = maskRepoUrl(link.repoUrl);
    const checked = await this.addresses.check(new URL(link.repoUrl));
    const key = `sources/${link.appId}/${r.buildId}.tar.gz`;
    const started = Date.now();
    let fetched: Awaited<ReturnType<typeof fetchCommit>>;
    try {
      fetched = await fetchCommit(this.blobs, join(this.settings.dataDir, 'tmp'), {
        repoUrl: link.repoUrl, branch: r.branch, commit: r.commit, checked, key,
        timeoutMs: this.settings.repos.fetchTimeoutMs, maxBytes: this.settings.repos.maxMb * 1024 * 1024, signal: this.stopping.signal,
      });
    } catch (err) {
      if (err instanceof FetchError) throw invalid(`Could not fetch ${r.branch} from ${shown}: ${err.message}.`);
      throw err;
    }
    const { commit, source } = fetched;
    try {
      await this.rpc.request(RecordRepoDeploy, { app: link.appId, buildId: r.buildId, branch: r.branch, commit, trigger: r.trigger, by: r.by });
      const out = this.output.writer(r.buildId);
      await out.line(`-----> Fetched ${r.branch} (${commit.slice(0, 7)}) from ${shown}`);
      const config = await this.rpc.request(GetConfigVars, { app: link.appId });
      await this.publisher.publish(SourcePushed, {
        appName: link.appName, buildId: r.buildId, source, commit, ref: `refs/heads/${r.branch}`, by: r.by, config,
      }, { appId: link.appId, correlationId: r.buildId });
    } catch (err) {
      await this.blobs.delete(key);
      throw err;
    }
    this.log.log(`build ${r.buildId} of ${link.appName} ${r.branch} ${commit.slice(0, 7)} queued (${r.trigger}, fetched in ${Date.now() - started} ms)`);
    return { commit };
  }

  /** Runs a deploy in the background (a webhook answers at once); a failure goes to the app's log. */
  start(link: RepoLinkInfo, r: RepoDeployRequest): void {
    const run = this.deploy(link, r).then(() => undefined, (err: Error) => {
      const what = `Deploy of ${r.branch}${r.commit ? ` ${r.commit.slice(0, 7)}` : ''} failed: ${err.message}`;
      this.log.warn(`${link.appName}: ${what}`);
      this.appLog(link.appId, what);
    }).finally(() => this.running.delete(run));
    this.running.add(run);
  }

  /** Stops fetches in flight and waits for them, so no temporary directory or half-stored source stays behind. */
  async onApplicationShutdown(): Promise<void> {
    this.stopping.abort();
    await Promise.all([...this.running]);
  }

  private appLog(appId: string, line: string): void {
    try {
      this.nc.publish(this.names.logSubject(appId), JSON.stringify(newLogLine('app', 'api', line)));
    } catch {
      // best effort, as every log writer; our own log says the same
    }
  }
}
