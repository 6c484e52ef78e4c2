import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { GetAppSetup, ListStaleAppSetups, RecordAppSetup, UpdateAppSetup, type RequestOf } from '@paas/contracts';
import { HandleRpc } from '@paas/messaging';
import { AppSetupStore } from './adapters/app-setup-store.js';

/** The app setup subjects the release service answers: the api runs setups, their records live here. */
@Controller()
export class AppSetupsController {
  constructor(private readonly setups: AppSetupStore) {}

  @HandleRpc(RecordAppSetup)
  handleRecordAppSetup(@Payload() req: RequestOf<typeof RecordAppSetup>) {
    return this.setups.record(req);
  }

  @HandleRpc(UpdateAppSetup)
  handleUpdateAppSetup(@Payload() req: RequestOf<typeof UpdateAppSetup>) {
    return this.setups.update(req);
  }

  @HandleRpc(GetAppSetup)
  handleGetAppSetup(@Payload() req: RequestOf<typeof GetAppSetup>) {
    return this.setups.get(req.id, req.actor);
  }

  @HandleRpc(ListStaleAppSetups)
  handleListStaleAppSetups(@Payload() req: RequestOf<typeof ListStaleAppSetups>) {
    return this.setups.stale(new Date(req.updatedBefore));
  }
}
