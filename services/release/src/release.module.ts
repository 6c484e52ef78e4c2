import { Module, type DynamicModule } from '@nestjs/common';
import { MessagingModule } from '@paas/messaging';
import { AccountCommands } from './account-commands.js';
import { AccountService } from './account.service.js';
import { AppAccess } from './app-access.js';
import { CollaboratorsService } from './collaborators.service.js';
import { AccountReadModel } from './adapters/account-read-model.js';
import { ApiLog } from './adapters/api-log.js';
import { databaseProvider, DatabaseLifecycle } from './adapters/database.js';
import { EventStore } from './adapters/event-store.js';
import { OutboxPublisher } from './adapters/outbox-publisher.js';
import { ReadModel } from './adapters/read-model.js';
import { CommandHandler } from './command-handler.js';
import type { ReleaseSettings } from './config.js';
import { ReleaseController } from './release.controller.js';
import { LogDrainReadModel } from './adapters/log-drain-read-model.js';
import { LogDrainsController } from './log-drains.controller.js';
import { LogDrainsService } from './log-drains.service.js';
import { ReleaseService } from './release.service.js';
import { AddonReadModel } from './adapters/addon-read-model.js';
import { AddonProvisioner } from './addon-provisioner.js';
import { AddonsController } from './addons.controller.js';
import { AddonsService } from './addons.service.js';
import { AppSetupStore } from './adapters/app-setup-store.js';
import { AppSetupsController } from './app-setups.controller.js';
import { RepoLinkReadModel } from './adapters/repo-link-read-model.js';
import { RepoLinksController } from './repo-links.controller.js';
import { RepoLinksService } from './repo-links.service.js';
import { SETTINGS } from './tokens.js';

export { SETTINGS } from './tokens.js';

@Module({})
export class ReleaseModule {
  static forRoot(settings: ReleaseSettings): DynamicModule {
    return {
      module: ReleaseModule,
      imports: [MessagingModule.forRoot('release', settings.messaging)],
      controllers: [ReleaseController, LogDrainsController, AddonsController, AppSetupsController, RepoLinksController],
      providers: [
        { provide: SETTINGS, useValue: settings },
        databaseProvider,
        DatabaseLifecycle,
        EventStore,
        ReadModel,
        ApiLog,
        OutboxPublisher,
        CommandHandler,
        ReleaseService,
        AccountReadModel,
        AccountCommands,
        AccountService,
        AppAccess,
        CollaboratorsService,
        LogDrainReadModel,
        LogDrainsService,
        AddonReadModel, AddonProvisioner, AddonsService,
        AppSetupStore,
        RepoLinkReadModel, RepoLinksService,
      ],
    };
  }
}
