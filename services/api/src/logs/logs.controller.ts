import { Body, Controller, Get, Headers, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Public } from '../auth.guard.js';
import { LogsService } from './logs.service.js';
import { CurrentActor, type Actor } from '../actor.js';

/** The log routes of the api: create a log session (authenticated), then stream it (the signed URL is the credential). */
@Controller()
export class LogsController {
  constructor(private readonly logs: LogsService) {}

  @Post('apps/:app/log-sessions') @HttpCode(201)
  create(@CurrentActor() actor: Actor, @Param('app') app: string, @Body() body: unknown, @Req() req: Request) { return this.logs.create(actor, app, body, req); }

  @Public() @Get('log-sessions/:token')
  async stream(@Param('token') token: string, @Headers('last-event-id') lastEventId: string | undefined, @Res() res: Response) {
    await this.logs.stream(token, lastEventId, res);
  }
}
