import { Catch, HttpException, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';
import { z } from 'zod';
import { isPaasError, type ErrorId } from '@paas/contracts';

const STATUS: Record<ErrorId, number> = {
  not_found: 404,
  conflict: 409,
  invalid_params: 422,
  illegal_state: 422,
  unauthorized: 401,
  forbidden: 403,
  timeout: 503,
  unavailable: 503,
  internal: 500,
};

/** The one place where errors become HTTP: Heroku's {"id","message"} bodies with the matching status. */
@Catch()
export class HttpErrorsFilter implements ExceptionFilter {
  private readonly log = new Logger('api');

  catch(err: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    const { status, id, message } = httpErrorOf(err);
    if (status >= 500) this.log.error(`${id}: ${message}${err instanceof Error && !isPaasError(err) ? `\n${err.stack}` : ''}`);
    if (res.headersSent) {
      res.end();
      return;
    }
    // git and curl only send credentials after a challenge.
    if (status === 401) res.setHeader('WWW-Authenticate', 'Basic realm="paas"');
    res.status(status).json({ id, message });
  }
}

/** The HTTP status and Heroku error body for any error a handler throws. */
export function httpErrorOf(err: unknown): { status: number; id: string; message: string } {
  if (isPaasError(err)) return { status: STATUS[err.id], id: err.id, message: err.message };
  if ((err as { type?: string }).type === 'entity.parse.failed') {
    return { status: 400, id: 'bad_request', message: `Request body is not valid JSON (${(err as Error).message}).` };
  }
  if (err instanceof z.ZodError) {
    const message = err.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ` : '') + i.message).join('; ');
    return { status: 422, id: 'invalid_params', message };
  }
  if (err instanceof TypeError && /must be|is not/.test(err.message)) return { status: 422, id: 'invalid_params', message: err.message };
  if (err instanceof HttpException) {
    const status = err.getStatus();
    const id = status === 404 ? 'not_found' : status === 400 ? 'bad_request' : status === 401 ? 'unauthorized' : 'error';
    const message = status === 404 ? 'The requested API endpoint was not found. Are you using the right HTTP verb (i.e. `GET` vs. `POST`), and did you specify your intended version with the `Accept` header?' : err.message;
    return { status, id, message };
  }
  return { status: 500, id: 'internal', message: 'Internal server error.' };
}
