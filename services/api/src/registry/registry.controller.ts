import { Controller, Get, Headers, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { isPaasError } from '@paas/contracts';
import { Public } from '../auth.guard.js';
import { httpErrorOf } from '../http-errors.filter.js';
import { RegistryAuth } from './registry-auth.js';
import { RegistryService } from './registry.service.js';

/** The container registry's routes: its address for the CLI, and the token server the registry sends clients to. */
@Controller('registry')
export class RegistryController {
  constructor(private readonly registry: RegistryService, private readonly auth: RegistryAuth) {}

  /** Where to push: image references start with `host` (`<host>/<app>/<process-type>`). */
  @Get() async info() { return { host: await this.registry.host() }; }

  /** Docker token auth: `GET /registry/token?service=...&scope=repository:<app>/<type>:push,pull` with Basic auth. */
  @Public() @Get('token')
  async token(@Headers('authorization') authorization: string | undefined, @Req() req: Request, @Res() res: Response) {
    const scopes = new URL(req.originalUrl, 'http://api').searchParams.getAll('scope');
    try {
      res.json(await this.auth.issue(authorization, scopes));
    } catch (err) {
      // Docker shows `details` of a 401 from the token server; the errors list is the registry's own error shape.
      const { status, id, message } = httpErrorOf(err);
      if (!isPaasError(err)) throw err;
      if (status === 401) res.setHeader('WWW-Authenticate', 'Basic realm="paas-registry"');
      res.status(status).json({ id, message, details: message, errors: [{ code: status === 401 ? 'UNAUTHORIZED' : 'UNAVAILABLE', message }] });
    }
  }
}
