import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { AddLogDrain, ListAllLogDrains, ListLogDrains, RemoveLogDrain, type RequestOf } from '@paas/contracts';
import { HandleRpc } from '@paas/messaging';
import { LogDrainsService } from './log-drains.service.js';

/** The log drain subjects the release service answers. */
@Controller()
export class LogDrainsController {
  constructor(private readonly drains: LogDrainsService) {}

  @HandleRpc(ListLogDrains)
  handleListLogDrains(@Payload() req: RequestOf<typeof ListLogDrains>) {
    return this.drains.list(req.app, req.actor);
  }

  @HandleRpc(AddLogDrain)
  handleAddLogDrain(@Payload() req: RequestOf<typeof AddLogDrain>) {
    return this.drains.add(req);
  }

  @HandleRpc(RemoveLogDrain)
  handleRemoveLogDrain(@Payload() req: RequestOf<typeof RemoveLogDrain>) {
    return this.drains.remove(req);
  }

  @HandleRpc(ListAllLogDrains)
  handleListAllLogDrains() {
    return this.drains.all();
  }
}
