import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Patch, Post, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { PaasError } from '@paas/contracts';
import { contextFromHeaders, inSpan, SpanKind, trace } from '@paas/telemetry';
import { Public } from './auth.guard.js';
import { isGitService } from './git/git-http.js';
import { GitService } from './git/git.service.js';
import { HealthService } from './health.service.js';
import { page } from './paging.js';
import { PlatformService } from './platform.service.js';

const tracer = () => trace.getTracer('api');

/** Every HTTP route of the api: the Platform API (Heroku v3 shapes), health, and git over HTTP. */
@Controller()
export class ApiController {
  constructor(private readonly platform: PlatformService, private readonly git: GitService, private readonly health: HealthService) {}

  @Public() @Get('healthz')
  async healthz(@Res() res: Response) {
    const report = await this.health.check();
    res.status(report.ok ? 200 : 503).json(report);
  }

  @Get('account') account() { return this.platform.account(); }

  @Post('apps') @HttpCode(201) createApp(@Body() body: unknown) { return this.platform.createApp(body); }
  @Get(['apps', 'users/~/apps'])
  async listApps(@Headers('range') range: string | undefined, @Res({ passthrough: true }) res: Response) { return page(res, range, await this.platform.listApps(), ['name', 'id']); }
  @Get('apps/:app') getApp(@Param('app') app: string) { return this.platform.getApp(app); }
  @Delete('apps/:app') destroyApp(@Param('app') app: string) { return this.platform.destroyApp(app); }

  @Get('apps/:app/config-vars') getConfig(@Param('app') app: string) { return this.platform.getConfig(app); }
  @Patch('apps/:app/config-vars') setConfig(@Param('app') app: string, @Body() body: unknown) { return this.platform.setConfig(app, body); }

  @Get('apps/:app/releases')
  async releases(@Param('app') app: string, @Headers('range') range: string | undefined, @Res({ passthrough: true }) res: Response) { return page(res, range, await this.platform.listReleases(app), ['version', 'id']); }
  @Post('apps/:app/releases') @HttpCode(201) rollback(@Param('app') app: string, @Body() body: unknown) { return this.platform.rollback(app, body); }
  @Get('apps/:app/releases/:release') release(@Param('app') app: string, @Param('release') r: string) { return this.platform.getRelease(app, r); }
  @Get('apps/:app/releases/:release/config-vars') releaseConfig(@Param('app') app: string, @Param('release') r: string) { return this.platform.releaseConfig(app, r); }

  @Get('apps/:app/formation')
  async formation(@Param('app') app: string, @Headers('range') range: string | undefined, @Res({ passthrough: true }) res: Response) { return page(res, range, await this.platform.formation(app), ['type', 'id']); }
  @Patch('apps/:app/formation') scale(@Param('app') app: string, @Body() body: unknown) { return this.platform.scale(app, body); }

  @Get('apps/:app/addons') addons(@Param('app') app: string) { return this.platform.addons(app); }
  @Get('addon-attachments') attachments() { return []; }
  @Get('apps/:app/collaborators') collaborators(@Param('app') app: string) { return this.platform.collaborators(app); }
  @Get('apps/:app/domains') domains(@Param('app') app: string) { return this.platform.domains(app); }
  @Post('apps/:app/domains') @HttpCode(201) addDomain(@Param('app') app: string, @Body() body: unknown) { return this.platform.addDomain(app, body); }
  @Get('apps/:app/domains/:domain') domain(@Param('app') app: string, @Param('domain') d: string) { return this.platform.domain(app, d); }
  @Delete('apps/:app/domains/:domain') removeDomain(@Param('app') app: string, @Param('domain') d: string) { return this.platform.removeDomain(app, d); }
  @Get('apps/:app/sni-endpoints') sniEndpoints(@Param('app') app: string) { return this.platform.sniEndpoints(app); }

  @Post('apps/:app/dynos') @HttpCode(201) run(@Param('app') app: string, @Body() body: unknown) { return this.platform.runDyno(app, body); }
  @Delete('apps/:app/dynos') @HttpCode(202) restartAll(@Param('app') app: string) { return this.platform.restartDynos(app); }
  @Delete('apps/:app/dynos/:dyno') @HttpCode(202) restart(@Param('app') app: string, @Param('dyno') dyno: string) { return this.platform.restartDynos(app, dyno); }
  @Delete('apps/:app/formations/:type') @HttpCode(202) restartType(@Param('app') app: string, @Param('type') type: string) { return this.platform.restartDynos(app, type); }
  @Post('apps/:app/dynos/:dyno/actions/stop') @HttpCode(202) stop(@Param('app') app: string, @Param('dyno') dyno: string) { return this.platform.restartDynos(app, dyno, true); }

  @Get('apps/:app/dynos')
  async dynos(@Param('app') app: string, @Headers('range') range: string | undefined, @Res({ passthrough: true }) res: Response) { return page(res, range, await this.platform.dynos(app), ['name', 'id']); }

  @Get(':repo/info/refs')
  async infoRefs(@Param('repo') repo: string, @Query('service') service: string, @Res() res: Response) {
    if (!isGitService(service)) throw new PaasError('invalid_params', 'Dumb git HTTP is not supported: use git 1.6.6 or newer (smart HTTP).');
    await this.git.infoRefs(repo, service, res);
  }

  @Post(':repo/:service')
  async gitRpc(@Param('repo') repo: string, @Param('service') service: string, @Req() req: Request, @Res() res: Response) {
    if (!isGitService(service)) throw new PaasError('not_found', `No git service "${service}".`);
    await inSpan(tracer(), `git ${service.slice(4)}`, { kind: SpanKind.SERVER, attributes: { 'paas.repo': repo } },
      () => this.git.rpcCall(repo, service, req, res, this.platform.by));
  }

  @Public() @Post('internal/git/pre-receive')
  async preReceive(@Headers('x-paas-push-token') token: string | undefined, @Query() q: { ref?: string; new?: string }, @Req() req: Request, @Res() res: Response) {
    await inSpan(tracer(), 'git pre-receive', { kind: SpanKind.SERVER, parent: contextFromHeaders({ traceparent: req.headers.traceparent as string | undefined }) },
      () => this.git.preReceive(token, q, req, res));
  }
}
