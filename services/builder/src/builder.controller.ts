import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { SourcePushed, type EventOf } from '@paas/contracts';
import { OnEvent } from '@paas/messaging';
import { BuildPipeline } from './build-pipeline.js';

/** Everything the builder handles on NATS: it consumes SourcePushed and nothing else. */
@Controller()
export class BuilderController {
  constructor(private readonly pipeline: BuildPipeline) {}

  /** A push to build: the pipeline publishes BuildStarted, the output, then SlugBuilt or BuildFailed. */
  @OnEvent(SourcePushed)
  onSourcePushed(@Payload() pushed: EventOf<typeof SourcePushed>): Promise<void> {
    return this.pipeline.onSourcePushed(pushed);
  }
}
