import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Patch, Post, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { PaasError } from '@paas/contracts';
import { contextFromHeaders, inSpan, SpanKind, trace } from '@paas/telemetry';
import { AccountsService } from './accounts.service.js';
import { presentedKey } from './api-key.js';
import { CurrentActor, type Actor } from './actor.js';
import { Public } from './auth.guard.js';
import { isGitService } from './git/git-http.js';
import { GitService } from './git/git.service.js';
import { HealthService } from './health.service.js';
import { page } from './paging.js';
import { PlatformService } from './platform.service.js';
import { ContainerReleases } from './registry/container-release.service.js';

const tracer = () => trace.getTracer('api');

/** A formation update naming a docker_image is a container release. */
const releasesImages = (body: unknown): boolean =>
  Array.isArray((body as { updates?: unknown } | null)?.updates) && (body as { updates: unknown[] }).updates.some((u) => typeof u === 'object' && u !== null && 'docker_image' in u);

/** Every HTTP route of the api: the Platform API (Heroku v3 shapes), health, and git over HTTP. */
@Controller()
export class ApiController {
  constructor(private readonly accounts: AccountsService, private readonly platform: PlatformService, private readonly git: GitService, private readonly health: HealthService, private readonly containers: ContainerReleases) {}

  @Public() @Get('healthz')
  async healthz(@Res() res: Response) {
    const report = await this.health.check();
    res.status(report.ok ? 200 : 503).json(report);
  }

  @Get('account') account(@CurrentActor() actor: Actor) { return this.platform.account(actor); }

  @Post('apps') @HttpCode(201) createApp(@CurrentActor() actor: Actor, @Body() body: unknown) { return this.platform.createApp(actor, body); }
  @Get(['apps', 'users/~/apps'])
  async listApps(@CurrentActor() actor: Actor, @Headers('range') range: string | undefined, @Res({ passthrough: true }) res: Response) { return page(res, range, await this.platform.listApps(actor), ['name', 'id']); }
  @Get('apps/:app') getApp(@CurrentActor() actor: Actor, @Param('app') app: string) { return this.platform.getApp(actor, app); }
  @Patch('apps/:app') updateApp(@CurrentActor() actor: Actor, @Param('app') app: string, @Body() body: unknown) { return this.platform.updateApp(actor, app, body); }
  @Delete('apps/:app') destroyApp(@CurrentActor() actor: Actor, @Param('app') app: string) { return this.platform.destroyApp(actor, app); }

  @Get('apps/:app/config-vars') getConfig(@CurrentActor() actor: Actor, @Param('app') app: string) { return this.platform.getConfig(actor, app); }
  @Patch('apps/:app/config-vars') setConfig(@CurrentActor() actor: Actor, @Param('app') app: string, @Body() body: unknown) { return this.platform.setConfig(actor, app, body); }

  @Get('apps/:app/releases')
  async releases(@CurrentActor() actor: Actor, @Param('app') app: string, @Headers('range') range: string | undefined, @Res({ passthrough: true }) res: Response) { return page(res, range, await this.platform.listReleases(actor, app), ['version', 'id']); }
  @Post('apps/:app/releases') @HttpCode(201) rollback(@CurrentActor() actor: Actor, @Param('app') app: string, @Body() body: unknown) { return this.platform.rollback(actor, app, body); }
  @Get('apps/:app/releases/:release') release(@CurrentActor() actor: Actor, @Param('app') app: string, @Param('release') r: string) { return this.platform.getRelease(actor, app, r); }
  @Get('apps/:app/releases/:release/config-vars') releaseConfig(@CurrentActor() actor: Actor, @Param('app') app: string, @Param('release') r: string) { return this.platform.releaseConfig(actor, app, r); }

  @Get('apps/:app/formation')
  async formation(@CurrentActor() actor: Actor, @Param('app') app: string, @Headers('range') range: string | undefined, @Res({ passthrough: true }) res: Response) { return page(res, range, await this.platform.formation(actor, app), ['type', 'id']); }
  /** Scales and resizes, or with docker_image releases pushed container images (`container:release`). */
  @Patch('apps/:app/formation') scale(@CurrentActor() actor: Actor, @Param('app') app: string, @Body() body: unknown) {
    return releasesImages(body) ? this.containers.release(actor, app, (body as { updates: unknown }).updates) : this.platform.scale(actor, app, body);
  }

  @Post('accounts') @HttpCode(201) createAccount(@CurrentActor() actor: Actor, @Body() body: unknown) { return this.accounts.createAccount(actor, body); }
  @Public() @Post('oauth/authorizations') @HttpCode(201) authorize(@Headers('authorization') auth: string | undefined, @Body() body: unknown) { return this.accounts.authorize(auth, body); }
  @Get('oauth/authorizations') authorizations(@CurrentActor() actor: Actor, @Headers('authorization') auth: string | undefined) { return this.accounts.listAuthorizations(actor, presentedKey(auth)); }
  // No default "API key" authorization and no SSO sessions: Heroku's own 404s, which the CLI expects.
  @Get('oauth/authorizations/~') defaultAuthorization(@Res() res: Response) { res.status(404).json({ id: 'not_found', resource: 'authorization', message: "Couldn't find that authorization." }); }
  @Delete('oauth/sessions/~') endSession(@Res() res: Response) { res.status(404).json({ id: 'not_found', resource: 'session', message: "Couldn't find that session." }); }
  @Delete('oauth/authorizations/:id') revoke(@CurrentActor() actor: Actor, @Param('id') id: string) { return this.accounts.revokeAuthorization(actor, id); }
  @Get('apps/:app/collaborators') collaborators(@CurrentActor() actor: Actor, @Param('app') app: string) { return this.accounts.collaborators(actor, app); }
  @Post('apps/:app/collaborators') @HttpCode(201) addCollaborator(@CurrentActor() actor: Actor, @Param('app') app: string, @Body() body: unknown) { return this.accounts.addCollaborator(actor, app, body); }
  @Delete('apps/:app/collaborators/:email') removeCollaborator(@CurrentActor() actor: Actor, @Param('app') app: string, @Param('email') email: string) { return this.accounts.removeCollaborator(actor, app, email); }

  @Get('apps/:app/domains') domains(@CurrentActor() actor: Actor, @Param('app') app: string) { return this.platform.domains(actor, app); }
  @Post('apps/:app/domains') @HttpCode(201) addDomain(@CurrentActor() actor: Actor, @Param('app') app: string, @Body() body: unknown) { return this.platform.addDomain(actor, app, body); }
  @Get('apps/:app/domains/:domain') domain(@CurrentActor() actor: Actor, @Param('app') app: string, @Param('domain') d: string) { return this.platform.domain(actor, app, d); }
  @Delete('apps/:app/domains/:domain') removeDomain(@CurrentActor() actor: Actor, @Param('app') app: string, @Param('domain') d: string) { return this.platform.removeDomain(actor, app, d); }
  @Get('apps/:app/sni-endpoints') sniEndpoints(@CurrentActor() actor: Actor, @Param('app') app: string) { return this.platform.sniEndpoints(actor, app); }

  @Post('apps/:app/dynos') @HttpCode(201) run(@CurrentActor() actor: Actor, @Param('app') app: string, @Body() body: unknown) { return this.platform.runDyno(actor, app, body); }
  @Delete('apps/:app/dynos') @HttpCode(202) restartAll(@CurrentActor() actor: Actor, @Param('app') app: string) { return this.platform.restartDynos(actor, app); }
  @Delete('apps/:app/dynos/:dyno') @HttpCode(202) restart(@CurrentActor() actor: Actor, @Param('app') app: string, @Param('dyno') dyno: string) { return this.platform.restartDynos(actor, app, dyno); }
  @Delete('apps/:app/formations/:type') @HttpCode(202) restartType(@CurrentActor() actor: Actor, @Param('app') app: string, @Param('type') type: string) { return this.platform.restartDynos(actor, app, type); }
  @Post('apps/:app/dynos/:dyno/actions/stop') @HttpCode(202) stop(@CurrentActor() actor: Actor, @Param('app') app: string, @Param('dyno') dyno: string) { return this.platform.restartDynos(actor, app, dyno, true); }

  @Get('apps/:app/dynos')
  async dynos(@CurrentActor() actor: Actor, @Param('app') app: string, @Headers('range') range: string | undefined, @Res({ passthrough: true }) res: Response) { return page(res, range, await this.platform.dynos(actor, app), ['name', 'id']); }

  @Get(':repo/info/refs')
  async infoRefs(@CurrentActor() actor: Actor, @Param('repo') repo: string, @Query('service') service: string, @Res() res: Response) {
    if (!isGitService(service)) throw new PaasError('invalid_params', 'Dumb git HTTP is not supported: use git 1.6.6 or newer (smart HTTP).');
    await this.git.infoRefs(actor, repo, service, res);
  }

  @Post(':repo/:service')
  async gitRpc(@CurrentActor() actor: Actor, @Param('repo') repo: string, @Param('service') service: string, @Req() req: Request, @Res() res: Response) {
    if (!isGitService(service)) throw new PaasError('not_found', `No git service "${service}".`);
    await inSpan(tracer(), `git ${service.slice(4)}`, { kind: SpanKind.SERVER, attributes: { 'paas.repo': repo } },
      () => this.git.rpcCall(actor, repo, service, req, res));
  }

  @Public() @Post('internal/git/pre-receive')
  async preReceive(@Headers('x-paas-push-token') token: string | undefined, @Query() q: { ref?: string; new?: string }, @Req() req: Request, @Res() res: Response) {
    await inSpan(tracer(), 'git pre-receive', { kind: SpanKind.SERVER, parent: contextFromHeaders({ traceparent: req.headers.traceparent as string | undefined }) },
      () => this.git.preReceive(token, q, req, res));
  }
}
