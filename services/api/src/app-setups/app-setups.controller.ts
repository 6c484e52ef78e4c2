import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { CurrentActor, type Actor } from '../actor.js';
import { Public } from '../auth.guard.js';
import type { ApiSettings } from '../config.js';
import { DEPLOY_PAGE_SCRIPT } from '../domain/deploy-page-script.js';
import { DEPLOY_PAGE_CSP, DEPLOY_PAGE_CSS, deployPageHtml } from '../domain/deploy-page.js';
import { SETTINGS } from '../tokens.js';
import { AppSetupsService } from './app-setups.service.js';

/** App setups (Heroku's /app-setups) and the Deploy button's page that starts one from a template. */
@Controller()
export class AppSetupsController {
  constructor(private readonly setups: AppSetupsService, @Inject(SETTINGS) private readonly settings: ApiSettings) {}

  @Post('app-setups') @HttpCode(201)
  create(@CurrentActor() actor: Actor, @Body() body: unknown, @Req() req: Request) { return this.setups.create(actor, body, this.base(req)); }

  @Get('app-setups/:id')
  get(@CurrentActor() actor: Actor, @Param('id') id: string, @Req() req: Request) { return this.setups.get(actor, id, this.base(req)); }

  /** A template's app.json as the deploy page shows it; the api downloads it, never the browser. */
  @Get('deploy/template')
  template(@CurrentActor() _actor: Actor, @Query('url') url: unknown) { return this.setups.template(url); }

  @Public() @Get('deploy')
  page(@Query('template') template: unknown, @Res() res: Response) {
    this.asset(res, 'text/html; charset=utf-8', deployPageHtml(typeof template === 'string' ? template : ''));
  }

  @Public() @Get('deploy/deploy.js')
  script(@Res() res: Response) { this.asset(res, 'text/javascript; charset=utf-8', DEPLOY_PAGE_SCRIPT); }

  @Public() @Get('deploy/deploy.css')
  style(@Res() res: Response) { this.asset(res, 'text/css; charset=utf-8', DEPLOY_PAGE_CSS); }

  private asset(res: Response, type: string, body: string): void {
    res.status(200).set({
      'content-type': type, 'content-security-policy': DEPLOY_PAGE_CSP, 'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY', 'referrer-policy': 'no-referrer', 'cache-control': 'no-cache',
    }).send(body);
  }

  /** Where this api is reached: PAAS_PUBLIC_API_URL, else as the caller reached it. */
  private base(req: Request): string {
    return this.settings.publicUrl ?? `${req.protocol}://${req.get('host')}`;
  }
}
