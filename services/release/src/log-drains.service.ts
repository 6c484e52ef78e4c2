import { Injectable } from '@nestjs/common';
import type { AddLogDrain, AppLogDrain, LogDrainInfo, RemoveLogDrain, RequestOf } from '@paas/contracts';
import { LogDrainReadModel } from './adapters/log-drain-read-model.js';
import { AppAccess } from './app-access.js';
import { CommandHandler } from './command-handler.js';

/** An app's log drains: recorded as events of the app's stream, read from their projection. */
@Injectable()
export class LogDrainsService {
  constructor(private readonly commands: CommandHandler, private readonly read: LogDrainReadModel, private readonly access: AppAccess) {}

  async list(ref: string, actor?: string): Promise<LogDrainInfo[]> {
    return this.read.ofApp((await this.access.app(ref, actor)).id);
  }

  /** Every drain of every app: what the api delivers to. */
  all(): Promise<AppLogDrain[]> {
    return this.read.all();
  }

  /** Adds a drain; answers with it, token included. */
  async add(req: RequestOf<typeof AddLogDrain>): Promise<LogDrainInfo> {
    const app = await this.access.app(req.app, req.actor);
    const outcome = await this.commands.execute(app.id, { type: 'AddLogDrain', url: req.url, by: req.by });
    const { drainId } = outcome.events[0]!.envelope.data as { drainId: string };
    return (await this.read.ofApp(app.id)).find((d) => d.id === drainId)!;
  }

  /** Removes a drain named by id, url or token; answers with it as it was. */
  async remove(req: RequestOf<typeof RemoveLogDrain>): Promise<LogDrainInfo> {
    const app = await this.access.app(req.app, req.actor);
    const before = await this.read.ofApp(app.id);
    const outcome = await this.commands.execute(app.id, { type: 'RemoveLogDrain', drain: req.drain, by: req.by });
    const { drainId } = outcome.events[0]!.envelope.data as { drainId: string };
    return before.find((d) => d.id === drainId)!;
  }
}
