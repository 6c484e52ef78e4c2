import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { GetRepoLink, LinkRepo, RecordRepoDeploy, UnlinkRepo, type RequestOf } from '@paas/contracts';
import { HandleRpc } from '@paas/messaging';
import { RepoLinksService } from './repo-links.service.js';

/** The repository link subjects the release service answers. */
@Controller()
export class RepoLinksController {
  constructor(private readonly links: RepoLinksService) {}

  @HandleRpc(GetRepoLink)
  handleGetRepoLink(@Payload() req: RequestOf<typeof GetRepoLink>) {
    return this.links.get(req);
  }

  @HandleRpc(LinkRepo)
  handleLinkRepo(@Payload() req: RequestOf<typeof LinkRepo>) {
    return this.links.link(req);
  }

  @HandleRpc(UnlinkRepo)
  handleUnlinkRepo(@Payload() req: RequestOf<typeof UnlinkRepo>) {
    return this.links.unlink(req);
  }

  @HandleRpc(RecordRepoDeploy)
  handleRecordRepoDeploy(@Payload() req: RequestOf<typeof RecordRepoDeploy>) {
    return this.links.recordDeploy(req);
  }
}
