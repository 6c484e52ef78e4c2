import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import {
  AddCollaborator, Authenticate, CreateAccount, IssueToken, ListCollaborators, ListTokens, RemoveCollaborator, RevokeToken, VerifyToken,
  AddDomain, CreateApp, DestroyApp, GetApp, GetConfigVars, GetDesiredState, GetFormation, GetRelease, ListApps,
  ListDomains, ListReleases, ReleaseImages, ReleasePhaseFinished, RemoveDomain, RollbackRelease, ScaleFormation, SetConfigVars, SetMaintenance, SlugBuilt, type EventOf, type RequestOf,
} from '@paas/contracts';
import { HandleRpc, OnEvent } from '@paas/messaging';
import { ReadModel } from './adapters/read-model.js';
import { AccountService } from './account.service.js';
import { AppAccess } from './app-access.js';
import { CollaboratorsService } from './collaborators.service.js';
import { ReleaseService } from './release.service.js';
import { AddonsService } from './addons.service.js';

type Req<C> = RequestOf<C>;

/**
 * Every NATS subject the release service answers: commands and queries on apps (scoped to the
 * request's `actor` when given), accounts, API tokens, collaborators, SlugBuilt and ReleasePhaseFinished.
 */
@Controller()
export class ReleaseController {
  constructor(
    private readonly release: ReleaseService,
    private readonly read: ReadModel,
    private readonly access: AppAccess,
    private readonly accounts: AccountService,
    private readonly collaborators: CollaboratorsService,
    private readonly addons: AddonsService,
  ) {}

  @HandleRpc(CreateApp)
  handleCreateApp(@Payload() req: Req<typeof CreateApp>) {
    return this.release.createApp(req);
  }

  @HandleRpc(DestroyApp)
  async handleDestroyApp(@Payload() req: Req<typeof DestroyApp>) {
    await this.addons.deprovisionAllOf(await this.access.app(req.app, req.actor), req.by);
    return this.release.destroyApp(req.app, req.by, req.actor);
  }

  @HandleRpc(GetApp)
  handleGetApp(@Payload() req: Req<typeof GetApp>) {
    return this.access.app(req.app, req.actor);
  }

  @HandleRpc(ListApps)
  handleListApps(@Payload() req: Req<typeof ListApps>) {
    return this.access.apps(req.actor);
  }

  @HandleRpc(GetConfigVars)
  handleGetConfigVars(@Payload() req: Req<typeof GetConfigVars>) {
    return this.release.config(req.app, req.actor);
  }

  @HandleRpc(SetConfigVars)
  handleSetConfigVars(@Payload() req: Req<typeof SetConfigVars>) {
    return this.release.setConfigVars(req);
  }

  @HandleRpc(ListReleases)
  handleListReleases(@Payload() req: Req<typeof ListReleases>) {
    return this.release.releases(req.app, req.actor);
  }

  @HandleRpc(GetRelease)
  handleGetRelease(@Payload() req: Req<typeof GetRelease>) {
    return this.release.release(req.app, req.release, req.actor);
  }

  @HandleRpc(RollbackRelease)
  handleRollbackRelease(@Payload() req: Req<typeof RollbackRelease>) {
    return this.release.rollback(req.app, req.release, req.by, req.actor);
  }

  @HandleRpc(ReleaseImages)
  handleReleaseImages(@Payload() req: Req<typeof ReleaseImages>) {
    return this.release.releaseImages(req);
  }

  @HandleRpc(GetFormation)
  handleGetFormation(@Payload() req: Req<typeof GetFormation>) {
    return this.release.formation(req.app, req.actor);
  }

  @HandleRpc(ScaleFormation)
  handleScaleFormation(@Payload() req: Req<typeof ScaleFormation>) {
    return this.release.scale(req);
  }

  @HandleRpc(ListDomains)
  handleListDomains(@Payload() req: Req<typeof ListDomains>) {
    return this.release.domains(req.app, req.actor);
  }

  @HandleRpc(AddDomain)
  handleAddDomain(@Payload() req: Req<typeof AddDomain>) {
    return this.release.addDomain(req);
  }

  @HandleRpc(SetMaintenance)
  handleSetMaintenance(@Payload() req: Req<typeof SetMaintenance>) {
    return this.release.setMaintenance(req);
  }

  @HandleRpc(RemoveDomain)
  handleRemoveDomain(@Payload() req: Req<typeof RemoveDomain>) {
    return this.release.removeDomain(req);
  }

  @HandleRpc(GetDesiredState)
  handleGetDesiredState() {
    return this.read.desiredState();
  }

  @HandleRpc(CreateAccount)
  handleCreateAccount(@Payload() req: Req<typeof CreateAccount>) {
    return this.accounts.create(req);
  }

  @HandleRpc(Authenticate)
  handleAuthenticate(@Payload() req: Req<typeof Authenticate>) {
    return this.accounts.authenticate(req);
  }

  @HandleRpc(IssueToken)
  handleIssueToken(@Payload() req: Req<typeof IssueToken>) {
    return this.accounts.issueToken(req);
  }

  @HandleRpc(VerifyToken)
  handleVerifyToken(@Payload() req: Req<typeof VerifyToken>) {
    return this.accounts.verifyToken(req.tokenHash);
  }

  @HandleRpc(ListTokens)
  handleListTokens(@Payload() req: Req<typeof ListTokens>) {
    return this.accounts.listTokens(req.accountId);
  }

  @HandleRpc(RevokeToken)
  handleRevokeToken(@Payload() req: Req<typeof RevokeToken>) {
    return this.accounts.revokeToken(req.accountId, req.tokenId);
  }

  @HandleRpc(ListCollaborators)
  handleListCollaborators(@Payload() req: Req<typeof ListCollaborators>) {
    return this.collaborators.list(req.app, req.actor);
  }

  @HandleRpc(AddCollaborator)
  handleAddCollaborator(@Payload() req: Req<typeof AddCollaborator>) {
    return this.collaborators.add(req);
  }

  @HandleRpc(RemoveCollaborator)
  handleRemoveCollaborator(@Payload() req: Req<typeof RemoveCollaborator>) {
    return this.collaborators.remove(req);
  }

  @OnEvent(SlugBuilt)
  async onSlugBuilt(@Payload() event: EventOf<typeof SlugBuilt>) {
    await this.addons.provisionForSlug(event);
    return this.release.recordSlug(event);
  }

  @OnEvent(ReleasePhaseFinished)
  onReleasePhaseFinished(@Payload() event: EventOf<typeof ReleasePhaseFinished>) {
    return this.release.recordReleasePhase(event);
  }
}
