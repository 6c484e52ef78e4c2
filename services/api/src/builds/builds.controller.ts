import { Body, Controller, Delete, Get, Headers, HttpCode, Inject, Param, Post, Put, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { invalid } from '@paas/contracts';
import { CurrentActor, type Actor } from '../actor.js';
import { Public } from '../auth.guard.js';
import type { ApiSettings } from '../config.js';
import { page } from '../paging.js';
import { SETTINGS } from '../tokens.js';
import { BuildsService } from './builds.service.js';

/** The Build API: builds from a tarball URL, their output stream, uploads, and the build cache. */
@Controller()
export class BuildsController {
  constructor(private readonly builds: BuildsService, @Inject(SETTINGS) private readonly settings: ApiSettings) {}

  @Post('apps/:app/builds') @HttpCode(201)
  create(@CurrentActor() actor: Actor, @Param('app') app: string, @Body() body: unknown, @Req() req: Request) { return this.builds.create(actor, app, body, this.base(req)); }

  @Get('apps/:app/builds')
  async list(@CurrentActor() actor: Actor, @Param('app') app: string, @Headers('range') range: string | undefined, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    return page(res, range, await this.builds.list(actor, app, this.base(req)), ['created_at', 'id']);
  }

  @Get('apps/:app/builds/:id')
  get(@CurrentActor() actor: Actor, @Param('app') app: string, @Param('id') id: string, @Req() req: Request) { return this.builds.get(actor, app, id, this.base(req)); }

  @Delete('apps/:app/build-cache')
  purgeCache(@CurrentActor() actor: Actor, @Param('app') app: string) { return this.builds.purgeCache(actor, app); }

  /** A put_url/get_url pair for uploading a source tarball (Heroku's POST /sources). */
  @Post('sources') @HttpCode(201)
  newSource(@CurrentActor() _actor: Actor, @Req() req: Request) {
    const url = `${this.base(req)}/sources/${this.builds.uploads.newToken()}`;
    return { source_blob: { get_url: url, put_url: url } };
  }

  @Public() @Put('sources/:token')
  async putSource(@Param('token') token: string, @Req() req: Request) {
    if (req.readableEnded) throw invalid('The upload was read as a form: send the tarball as the raw body with Content-Type: application/octet-stream.');
    const ref = await this.builds.uploads.put(token, req);
    return { size: ref.size, checksum: `SHA256:${ref.checksum.slice(7)}` };
  }

  @Public() @Get('sources/:token')
  async getSource(@Param('token') token: string, @Res() res: Response) {
    const { stream, size } = await this.builds.uploads.get(token);
    res.status(200).set({ 'content-type': 'application/gzip', 'content-length': String(size) });
    stream.pipe(res);
  }

  /** The build's output as chunked text/plain: live while it runs, replayed after; the URL is unguessable. */
  @Public() @Get('build-output/:appId/:buildId')
  async output(@Param('appId') appId: string, @Param('buildId') buildId: string, @Res() res: Response) {
    const lines = this.builds.outputOf(appId, buildId);
    const first = await lines.next();
    res.status(200).set({ 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-cache', 'x-content-type-options': 'nosniff' });
    res.flushHeaders();
    let stopped = false;
    res.on('close', () => { stopped = true; void lines.return(undefined); });
    if (!first.done) res.write(first.value + '\n');
    for await (const line of { [Symbol.asyncIterator]: () => lines }) {
      if (stopped) break;
      res.write(line + '\n');
    }
    res.end();
  }

  /** Where this api is reached: PAAS_PUBLIC_API_URL, else as the caller reached it. */
  private base(req: Request): string {
    return this.settings.publicUrl ?? `${req.protocol}://${req.get('host')}`;
  }
}
