import { Body, Controller, Delete, Get, Headers, HttpCode, Inject, Param, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { CurrentActor, type Actor } from '../actor.js';
import { Public } from '../auth.guard.js';
import type { ApiSettings } from '../config.js';
import { SETTINGS } from '../tokens.js';
import { RepoLinksService } from './repo-links.service.js';

/** Repository links (GitHub-style integration): the link, manual deploys, and the push webhook (signed, no API key). */
@Controller()
export class RepoLinksController {
  constructor(private readonly links: RepoLinksService, @Inject(SETTINGS) private readonly settings: ApiSettings) {}

  @Post('apps/:app/repo-link')
  async link(@CurrentActor() actor: Actor, @Param('app') app: string, @Body() body: unknown, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    const { created, link } = await this.links.link(actor, app, body, this.base(req));
    res.status(created ? 201 : 200);
    return link;
  }

  @Get('apps/:app/repo-link')
  get(@CurrentActor() actor: Actor, @Param('app') app: string, @Req() req: Request) { return this.links.get(actor, app, this.base(req)); }

  @Delete('apps/:app/repo-link')
  unlink(@CurrentActor() actor: Actor, @Param('app') app: string, @Req() req: Request) { return this.links.unlink(actor, app, this.base(req)); }

  @Post('apps/:app/repo-link/deploys') @HttpCode(202)
  deploy(@CurrentActor() actor: Actor, @Param('app') app: string, @Body() body: unknown, @Req() req: Request) { return this.links.deployBranch(actor, app, body, this.base(req)); }

  /** The raw body arrives as a Buffer (see rawHookBody): the signature covers the bytes as sent. */
  @Public() @Post('hooks/repo/:app')
  async hook(@Param('app') app: string, @Headers() h: Record<string, string | undefined>, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    const { status, body } = await this.links.hook(app, {
      body: req.body, event: h['x-github-event'], signature: h['x-hub-signature-256'], contentType: h['content-type'],
    }, this.base(req));
    res.status(status);
    return body;
  }

  private base(req: Request): string {
    return this.settings.publicUrl ?? `${req.protocol}://${req.get('host')}`;
  }
}
