import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import type { Request, Response } from 'express';
import { GetApp, PaasError } from '@paas/contracts';
import { RpcClient } from '@paas/messaging';
import { currentTraceHeaders } from '@paas/telemetry';
import type { ApiSettings } from '../config.js';
import { SETTINGS } from '../tokens.js';
import { advertiseRefs, ensureBareRepo, installHooks, serviceRpc, type GitService as Service } from './git-http.js';
import { PushService, type PushSession } from './push.service.js';
import { scopeOf, type Actor } from '../actor.js';

const REPO = /^([a-z][a-z0-9-]{2,29})\.git$/;

/** Git smart HTTP for app repositories: ref advertisement, push (with the deploy hook) and fetch. */
@Injectable()
export class GitService implements OnModuleInit {
  private readonly log = new Logger('git');
  private readonly sessions = new Map<string, PushSession>();
  private readonly hooksDir: string;
  private hookUrl = '';

  constructor(
    @Inject(SETTINGS) private readonly settings: ApiSettings,
    private readonly rpc: RpcClient,
    private readonly pushes: PushService,
  ) {
    this.hooksDir = join(settings.dataDir, 'git-hooks');
  }

  async onModuleInit(): Promise<void> {
    await installHooks(this.hooksDir);
  }

  /** Called once the HTTP server listens, so the hook knows where to call back. */
  setListeningPort(port: number): void {
    this.hookUrl = `http://127.0.0.1:${port}/internal/git/pre-receive`;
  }

  async infoRefs(actor: Actor, repo: string, service: Service, res: Response): Promise<void> {
    const app = await this.app(actor, repo);
    const path = this.repoPath(app.id);
    await ensureBareRepo(path);
    await advertiseRefs(service, path, res);
  }

  async rpcCall(actor: Actor, repo: string, service: Service, req: Request, res: Response): Promise<void> {
    const app = await this.app(actor, repo);
    const by = actor.email;
    const path = this.repoPath(app.id);
    await ensureBareRepo(path);
    const token = randomBytes(24).toString('hex');
    this.sessions.set(token, { appId: app.id, appName: app.name, by });
    try {
      const env = { PAAS_PUSH_TOKEN: token, PAAS_HOOK_URL: this.hookUrl, PAAS_TRACEPARENT: currentTraceHeaders().traceparent ?? '' };
      const code = await serviceRpc(service, path, req, res, env, this.hooksDir);
      if (code !== 0) this.log.warn(`${service} for ${app.name} exited with ${code}`);
    } finally {
      this.sessions.delete(token);
    }
  }

  /** The pre-receive hook's call: deploy the archived commit, streaming lines and the exit status. */
  async preReceive(token: string | undefined, q: { ref?: string; new?: string }, req: Request, res: Response): Promise<void> {
    const push = token ? this.sessions.get(token) : undefined;
    if (!push) throw new PaasError('unauthorized', 'Unknown push session.');
    res.status(200).setHeader('Content-Type', 'text/plain; charset=utf-8');
    res.flushHeaders();
    const say = (line: string) => res.write(line + '\n');
    let code = 1;
    try {
      code = await this.pushes.deploy(push, q.ref ?? '', q.new ?? '', req, say);
    } catch (err) {
      this.log.error(`deploy of ${push.appName} failed: ${(err as Error).message}`);
      say(` !     The platform failed while deploying: ${(err as Error).message}. Nothing was released; push again.`);
    }
    res.end(`\u0000exit ${code}\n`);
  }

  private async app(actor: Actor, repo: string) {
    const m = REPO.exec(repo);
    if (!m) throw new PaasError('not_found', `No such repository "${repo}": push to <app>.git.`);
    return this.rpc.request(GetApp, { app: m[1], ...scopeOf(actor) });
  }

  private repoPath(appId: string): string {
    return join(this.settings.dataDir, 'repos', `${appId}.git`);
  }
}
