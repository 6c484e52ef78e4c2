import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, Reflector } from '@nestjs/core';
import { MessagingModule, RpcClient } from '@paas/messaging';
import { blobStoreFor } from '@paas/storage';
import { AccountsService } from './accounts.service.js';
import { AddonsController } from './addons/addons.controller.js';
import { AddonsService } from './addons/addons.service.js';
import { ApiController } from './api.controller.js';
import { AppSetupRunner } from './app-setups/app-setup-runner.js';
import { AppSetupsController } from './app-setups/app-setups.controller.js';
import { AppSetupsService } from './app-setups/app-setups.service.js';
import { AuthGuard } from './auth.guard.js';
import { BuildsController } from './builds/builds.controller.js';
import { BuildsService } from './builds/builds.service.js';
import type { ApiSettings } from './config.js';
import { GitService } from './git/git.service.js';
import { GrpcServer } from './grpc/grpc-server.js';
import { PushService } from './git/push.service.js';
import { HealthService } from './health.service.js';
import { HttpErrorsFilter } from './http-errors.filter.js';
import { LogStreams } from './logs/log-stream.js';
import { LogsController } from './logs/logs.controller.js';
import { LogsService } from './logs/logs.service.js';
import { DrainDelivery } from './logs/drains/drain-delivery.js';
import { DrainsController } from './logs/drains/drains.controller.js';
import { DrainsService } from './logs/drains/drains.service.js';
import { PlatformService } from './platform.service.js';
import { ContainerReleases } from './registry/container-release.service.js';
import { RegistryAuth } from './registry/registry-auth.js';
import { RegistryController } from './registry/registry.controller.js';
import { RegistryJanitor } from './registry/registry-janitor.js';
import { RegistryService } from './registry/registry.service.js';
import { RendezvousListener } from './rendezvous/rendezvous-listener.js';
import { AddressGuard } from './net/address-guard.js';
import { RepoDeploys } from './repo-links/repo-deploys.js';
import { RepoLinksController } from './repo-links/repo-links.controller.js';
import { RepoLinksService } from './repo-links/repo-links.service.js';
import { HttpsListener } from './tls/https-listener.js';
import { API_KEY_HOLDER, BLOBS, SETTINGS } from './tokens.js';

@Module({})
export class ApiModule {
  static forRoot(settings: ApiSettings, apiKey: string): DynamicModule {
    return {
      module: ApiModule,
      imports: [MessagingModule.forRoot('api', settings.messaging)],
      controllers: [ApiController, LogsController, DrainsController, AddonsController, BuildsController, RegistryController, AppSetupsController, RepoLinksController],
      providers: [
        { provide: SETTINGS, useValue: settings },
        { provide: BLOBS, useValue: blobStoreFor(settings.dataDir) },
        { provide: API_KEY_HOLDER, useValue: { value: apiKey } },
        { provide: AuthGuard, inject: [Reflector, API_KEY_HOLDER, RpcClient], useFactory: (r: Reflector, k: { value: string }, rpc: RpcClient) => new AuthGuard(r, k, settings.adminEmail, rpc) },
        { provide: APP_GUARD, useExisting: AuthGuard },
        { provide: APP_FILTER, useClass: HttpErrorsFilter },
        AccountsService, PlatformService, BuildsService, GitService, PushService, HealthService, LogsService, LogStreams, DrainsService, DrainDelivery, GrpcServer, HttpsListener, RendezvousListener, AddonsService,
        RegistryService, RegistryAuth, RegistryJanitor, ContainerReleases,
        AppSetupsService, AppSetupRunner,
        AddressGuard, RepoDeploys, RepoLinksService,
      ],
    };
  }
}
