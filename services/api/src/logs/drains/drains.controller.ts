import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { CurrentActor, type Actor } from '../../actor.js';
import { DrainsService } from './drains.service.js';

/** The log drain routes (Heroku's /apps/:app/log-drains); a drain is named by its id, url or token. */
@Controller()
export class DrainsController {
  constructor(private readonly drains: DrainsService) {}

  @Get('apps/:app/log-drains') list(@CurrentActor() actor: Actor, @Param('app') app: string) { return this.drains.list(actor, app); }
  @Post('apps/:app/log-drains') @HttpCode(201) add(@CurrentActor() actor: Actor, @Param('app') app: string, @Body() body: unknown) { return this.drains.add(actor, app, body); }
  @Get('apps/:app/log-drains/:drain') get(@CurrentActor() actor: Actor, @Param('app') app: string, @Param('drain') d: string) { return this.drains.get(actor, app, d); }
  @Delete('apps/:app/log-drains/:drain') remove(@CurrentActor() actor: Actor, @Param('app') app: string, @Param('drain') d: string) { return this.drains.remove(actor, app, d); }
}
