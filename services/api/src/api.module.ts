import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, Reflector } from '@nestjs/core';
import { MessagingModule, RpcClient } from '@paas/messaging';
import { blobStoreFor } from '@paas/storage';
import { AccountsService } from './accounts.service.js';
import { ApiController } from './api.controller.js';
import { AuthGuard } from './auth.guard.js';
import type { ApiSettings } from './config.js';
import { GitService } from './git/git.service.js';
import { GrpcServer } from './grpc/grpc-server.js';
import { PushService } from './git/push.service.js';
import { HealthService } from './health.service.js';
import { HttpErrorsFilter } from './http-errors.filter.js';
import { LogStreams } from './logs/log-stream.js';
import { LogsController } from './logs/logs.controller.js';
import { LogsService } from './logs/logs.service.js';
import { PlatformService } from './platform.service.js';
import { RendezvousListener } from './rendezvous/rendezvous-listener.js';
import { HttpsListener } from './tls/https-listener.js';
import { API_KEY_HOLDER, BLOBS, SETTINGS } from './tokens.js';

@Module({})
export class ApiModule {
  static forRoot(settings: ApiSettings, apiKey: string): DynamicModule {
    return {
      module: ApiModule,
      imports: [MessagingModule.forRoot('api', settings.messaging)],
      controllers: [ApiController, LogsController],
      providers: [
        { provide: SETTINGS, useValue: settings },
        { provide: BLOBS, useValue: blobStoreFor(settings.dataDir) },
        { provide: API_KEY_HOLDER, useValue: { value: apiKey } },
        { provide: AuthGuard, inject: [Reflector, API_KEY_HOLDER, RpcClient], useFactory: (r: Reflector, k: { value: string }, rpc: RpcClient) => new AuthGuard(r, k, settings.adminEmail, rpc) },
        { provide: APP_GUARD, useExisting: AuthGuard },
        { provide: APP_FILTER, useClass: HttpErrorsFilter },
        AccountsService, PlatformService, GitService, PushService, HealthService, LogsService, LogStreams, GrpcServer, HttpsListener, RendezvousListener,
      ],
    };
  }
}
