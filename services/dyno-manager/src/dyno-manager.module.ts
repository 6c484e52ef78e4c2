import { Module, type DynamicModule } from '@nestjs/common';
import { MessagingModule, NAMES, NATS_CONNECTION, RouteTable, type NatsConnection } from '@paas/messaging';
import type { Names } from '@paas/contracts';
import { blobStoreFor } from '@paas/storage';
import { AppLogs } from './adapters/app-logs.js';
import { AttachRelay } from './adapters/attach-relay.js';
import { RouteWriter } from './adapters/route-writer.js';
import { runtimeDriver } from './adapters/runtime/select.js';
import type { DynoManagerSettings } from './config.js';
import { DesiredStateService } from './desired-state.service.js';
import { DynoManagerController } from './dyno-manager.controller.js';
import { DynoStates } from './dyno-states.service.js';
import { DynoSupervisor } from './dyno-supervisor.service.js';
import { Reconciler } from './reconciler.service.js';
import { RUNTIME_DRIVER, SETTINGS } from './tokens.js';

@Module({})
export class DynoManagerModule {
  static forRoot(settings: DynoManagerSettings): DynamicModule {
    return {
      module: DynoManagerModule,
      imports: [MessagingModule.forRoot('dyno-manager', settings.messaging)],
      controllers: [DynoManagerController],
      providers: [
        { provide: SETTINGS, useValue: settings },
        { provide: RUNTIME_DRIVER, useFactory: () => runtimeDriver(settings) },
        {
          provide: RouteWriter,
          inject: [NATS_CONNECTION, NAMES],
          useFactory: async (nc: NatsConnection, n: Names) => new RouteWriter(await RouteTable.open(nc, n)),
        },
        { provide: AppLogs, inject: [NATS_CONNECTION, NAMES], useFactory: (nc: NatsConnection, n: Names) => new AppLogs(nc, n) },
        { provide: AttachRelay, inject: [NATS_CONNECTION, NAMES], useFactory: (nc: NatsConnection, n: Names) => new AttachRelay(nc, n) },
        DesiredStateService, DynoStates, DynoSupervisor, Reconciler,
      ],
    };
  }
}
