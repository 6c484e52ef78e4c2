import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import {
  CreateAddon, CreateAddonAttachment, DeleteAddonAttachment, DestroyAddon, GetAddon, GetAddonAttachment, ListAddonAttachments, ListAddons, ListAddonServices,
  type RequestOf,
} from '@paas/contracts';
import { HandleRpc } from '@paas/messaging';
import { AddonsService } from './addons.service.js';

/** The add-on subjects the release service answers: catalogue, add-ons, attachments. */
@Controller()
export class AddonsController {
  constructor(private readonly addons: AddonsService) {}

  @HandleRpc(ListAddonServices)
  handleListAddonServices() {
    return this.addons.services();
  }

  @HandleRpc(ListAddons)
  handleListAddons(@Payload() req: RequestOf<typeof ListAddons>) {
    return this.addons.list(req.app, req.actor);
  }

  @HandleRpc(GetAddon)
  handleGetAddon(@Payload() req: RequestOf<typeof GetAddon>) {
    return this.addons.get(req.addon, req.app, req.actor);
  }

  @HandleRpc(CreateAddon)
  handleCreateAddon(@Payload() req: RequestOf<typeof CreateAddon>) {
    return this.addons.create(req);
  }

  @HandleRpc(DestroyAddon)
  handleDestroyAddon(@Payload() req: RequestOf<typeof DestroyAddon>) {
    return this.addons.destroy(req.app, req.addon, req.by, req.actor);
  }

  @HandleRpc(ListAddonAttachments)
  handleListAddonAttachments(@Payload() req: RequestOf<typeof ListAddonAttachments>) {
    return this.addons.attachments({ app: req.app, addon: req.addon }, req.actor);
  }

  @HandleRpc(GetAddonAttachment)
  handleGetAddonAttachment(@Payload() req: RequestOf<typeof GetAddonAttachment>) {
    return this.addons.attachment(req.attachment, req.app, req.actor);
  }

  @HandleRpc(CreateAddonAttachment)
  handleCreateAddonAttachment(@Payload() req: RequestOf<typeof CreateAddonAttachment>) {
    return this.addons.attach(req);
  }

  @HandleRpc(DeleteAddonAttachment)
  handleDeleteAddonAttachment(@Payload() req: RequestOf<typeof DeleteAddonAttachment>) {
    return this.addons.detach(req.attachment, req.by, req.actor);
  }
}
