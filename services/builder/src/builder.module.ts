import { Module, type DynamicModule } from '@nestjs/common';
import type { Names } from '@paas/contracts';
import { BuildOutput, MessagingModule, NAMES, NATS_CONNECTION, type NatsConnection } from '@paas/messaging';
import { blobStoreFor } from '@paas/storage';
import { BuildRecords } from './adapters/build-records.js';
import { BuilderController } from './builder.controller.js';
import { BuildAppLog } from './adapters/app-log.js';
import { BuildPipeline } from './build-pipeline.js';
import type { BuilderSettings } from './config.js';
import { BuildCache } from './adapters/build-cache.js';
import { BLOBS, BUILD_CACHE, BUILD_INDEX, BUILD_OUTPUT, BUILD_RECORDS, SETTINGS } from './tokens.js';
import { BuildIndex } from './adapters/build-index.js';

export { SETTINGS };

@Module({})
export class BuilderModule {
  static forRoot(settings: BuilderSettings): DynamicModule {
    return {
      module: BuilderModule,
      imports: [MessagingModule.forRoot('builder', settings.messaging)],
      controllers: [BuilderController],
      providers: [
        { provide: SETTINGS, useValue: settings },
        { provide: BLOBS, useValue: blobStoreFor(settings.dataDir) },
        { provide: BUILD_RECORDS, useValue: new BuildRecords(settings.dataDir) },
        { provide: BUILD_INDEX, useValue: new BuildIndex(settings.dataDir) },
        { provide: BUILD_CACHE, useValue: new BuildCache(settings.dataDir) },
        { provide: BUILD_OUTPUT, inject: [NATS_CONNECTION, NAMES], useFactory: (nc: NatsConnection, n: Names) => new BuildOutput(nc, n) },
        BuildPipeline, BuildAppLog,
      ],
    };
  }
}
