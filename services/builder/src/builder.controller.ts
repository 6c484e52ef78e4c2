import { Controller, Inject } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { AppDestroyed, GetBuild, ListBuilds, PurgeBuildCache, SourcePushed, type EventOf, type RequestOf } from '@paas/contracts';
import { HandleRpc, OnEvent } from '@paas/messaging';
import type { BuildIndex } from './adapters/build-index.js';
import { BuildPipeline } from './build-pipeline.js';
import { BUILD_INDEX } from './tokens.js';

/** Everything the builder handles on NATS: SourcePushed, and the Build API's queries. */
@Controller()
export class BuilderController {
  constructor(private readonly pipeline: BuildPipeline, @Inject(BUILD_INDEX) private readonly builds: BuildIndex) {}

  @HandleRpc(ListBuilds)
  handleListBuilds(@Payload() req: RequestOf<typeof ListBuilds>) { return this.builds.list(req.appId); }

  @HandleRpc(GetBuild)
  handleGetBuild(@Payload() req: RequestOf<typeof GetBuild>) { return this.builds.get(req.appId, req.buildId); }

  @HandleRpc(PurgeBuildCache)
  async handlePurgeBuildCache(@Payload() req: RequestOf<typeof PurgeBuildCache>) { return { purged: await this.pipeline.purgeCache(req.appId) }; }

  /** A destroyed app's build cache and images go with it. */
  @OnEvent(AppDestroyed)
  onAppDestroyed(@Payload() destroyed: EventOf<typeof AppDestroyed>): Promise<void> {
    return this.pipeline.forgetApp(destroyed.appId, destroyed.data.name);
  }

  /** A push to build: the pipeline publishes BuildStarted, the output, then SlugBuilt or BuildFailed. */
  @OnEvent(SourcePushed)
  onSourcePushed(@Payload() pushed: EventOf<typeof SourcePushed>): Promise<void> {
    return this.pipeline.onSourcePushed(pushed);
  }
}
