import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import {
  AddDomain, CreateApp, DestroyApp, GetApp, GetConfigVars, GetDesiredState, GetFormation, GetRelease, ListApps,
  ListDomains, ListReleases, RemoveDomain, RollbackRelease, ScaleFormation, SetConfigVars, SlugBuilt, type EventOf, type RequestOf,
} from '@paas/contracts';
import { HandleRpc, OnEvent } from '@paas/messaging';
import { ReadModel } from './adapters/read-model.js';
import { ReleaseService } from './release.service.js';

type Req<C> = RequestOf<C>;

/** Every NATS subject the release service answers: commands and queries on apps, and SlugBuilt. */
@Controller()
export class ReleaseController {
  constructor(private readonly release: ReleaseService, private readonly read: ReadModel) {}

  @HandleRpc(CreateApp)
  handleCreateApp(@Payload() req: Req<typeof CreateApp>) {
    return this.release.createApp(req);
  }

  @HandleRpc(DestroyApp)
  handleDestroyApp(@Payload() req: Req<typeof DestroyApp>) {
    return this.release.destroyApp(req.app, req.by);
  }

  @HandleRpc(GetApp)
  handleGetApp(@Payload() req: Req<typeof GetApp>) {
    return this.read.app(req.app);
  }

  @HandleRpc(ListApps)
  handleListApps() {
    return this.read.apps();
  }

  @HandleRpc(GetConfigVars)
  handleGetConfigVars(@Payload() req: Req<typeof GetConfigVars>) {
    return this.release.config(req.app);
  }

  @HandleRpc(SetConfigVars)
  handleSetConfigVars(@Payload() req: Req<typeof SetConfigVars>) {
    return this.release.setConfigVars(req);
  }

  @HandleRpc(ListReleases)
  handleListReleases(@Payload() req: Req<typeof ListReleases>) {
    return this.read.releases(req.app);
  }

  @HandleRpc(GetRelease)
  handleGetRelease(@Payload() req: Req<typeof GetRelease>) {
    return this.read.release(req.app, req.release);
  }

  @HandleRpc(RollbackRelease)
  handleRollbackRelease(@Payload() req: Req<typeof RollbackRelease>) {
    return this.release.rollback(req.app, req.release, req.by);
  }

  @HandleRpc(GetFormation)
  handleGetFormation(@Payload() req: Req<typeof GetFormation>) {
    return this.release.formation(req.app);
  }

  @HandleRpc(ScaleFormation)
  handleScaleFormation(@Payload() req: Req<typeof ScaleFormation>) {
    return this.release.scale(req);
  }

  @HandleRpc(ListDomains)
  handleListDomains(@Payload() req: Req<typeof ListDomains>) {
    return this.release.domains(req.app);
  }

  @HandleRpc(AddDomain)
  handleAddDomain(@Payload() req: Req<typeof AddDomain>) {
    return this.release.addDomain(req);
  }

  @HandleRpc(RemoveDomain)
  handleRemoveDomain(@Payload() req: Req<typeof RemoveDomain>) {
    return this.release.removeDomain(req);
  }

  @HandleRpc(GetDesiredState)
  handleGetDesiredState() {
    return this.read.desiredState();
  }

  @OnEvent(SlugBuilt)
  onSlugBuilt(@Payload() event: EventOf<typeof SlugBuilt>) {
    return this.release.recordSlug(event);
  }
}
