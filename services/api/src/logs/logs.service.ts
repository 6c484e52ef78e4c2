import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import { GetApp, PaasError } from '@paas/contracts';
import { RpcClient } from '@paas/messaging';
import type { ApiSettings } from '../config.js';
import { API_KEY_HOLDER, SETTINGS } from '../tokens.js';
import { lastEventId, sessionFor, sessionKey, signSession, verifySession } from './log-sessions.js';
import { LogStreams } from './log-stream.js';
import { scopeOf, type Actor } from '../actor.js';

/** `heroku logs`: creates log sessions (signed URLs) and serves them as event streams. */
@Injectable()
export class LogsService {
  private readonly key: Buffer;

  constructor(
    @Inject(API_KEY_HOLDER) apiKey: { value: string },
    @Inject(SETTINGS) private readonly settings: ApiSettings,
    private readonly rpc: RpcClient,
    private readonly streams: LogStreams,
  ) {
    this.key = sessionKey(apiKey.value);
  }

  /** A log session of the app, in Heroku's shape; logplex_url works without credentials for a few minutes. */
  async create(actor: Actor, app: string, body: unknown, req: Request) {
    const { id: appId } = await this.rpc.request(GetApp, { app, ...scopeOf(actor) });
    const now = Date.now();
    const token = signSession(sessionFor(appId, body, now), this.key);
    const at = new Date(now).toISOString().replace(/\.\d+Z$/, 'Z');
    return { id: randomUUID(), logplex_url: `${this.baseUrl(req)}/log-sessions/${token}`, created_at: at, updated_at: at };
  }

  /** Streams the session a token carries; a reconnect (Last-Event-ID) resumes after the line it saw last. */
  async stream(token: string, lastEventIdHeader: string | undefined, res: Response): Promise<void> {
    const after = lastEventId(lastEventIdHeader);
    const session = verifySession(token, this.key, Date.now(), after !== undefined);
    if (!session) throw new PaasError('unauthorized', 'Invalid credentials provided. This log session is unknown or has expired: create a new one (heroku logs).');
    await this.streams.serve(session, after, res);
  }

  /** The configured public URL, else the address the client reached us at (so the CLI can come back). */
  private baseUrl(req: Request): string {
    if (this.settings.publicUrl) return this.settings.publicUrl.replace(/\/+$/, '');
    return `${req.protocol}://${req.get('host') ?? `${req.socket.localAddress}:${req.socket.localPort}`}`;
  }
}
