import { Injectable, Logger } from '@nestjs/common';
import { DynoStateChanged, type DynoState } from '@paas/contracts';
import { EventPublisher } from '@paas/messaging';
import { AppLogs } from './adapters/app-logs.js';
import { RouteWriter } from './adapters/route-writer.js';
import type { DynoRecord } from './dyno-record.js';
import type { LiveState } from './domain/dyno.js';

/**
 * Records a dyno's state changes, in the order that keeps routers honest: the route table first
 * (so routers stop sending before anyone is told), then DynoStateChanged, with the
 * `heroku[web.1]: State changed ...` line in the app's log.
 */
@Injectable()
export class DynoStates {
  private readonly log = new Logger('dyno-manager');
  private events: Promise<unknown> = Promise.resolve();

  constructor(private readonly routes: RouteWriter, private readonly publisher: EventPublisher, private readonly logs: AppLogs) {}

  record(r: DynoRecord, from: LiveState | null, to: DynoState, exitCode: number | null = null, reason: string | null = null): void {
    if (to !== 'down') r.state = to;
    r.updatedAt = new Date().toISOString();
    let written: Promise<void> | undefined;
    if ((to === 'up' || to === 'crashed') && r.type === 'web' && r.port !== null && r.host !== null) {
      // A crashed web dyno stays in the table as crashed: routers answer H10 when every one is.
      r.routed = true;
      written = this.routes.up({ ...r, host: r.host, port: r.port, state: to });
    } else if (r.routed) written = this.unroute(r);
    if (from) this.logs.heroku(r.appId, r.name, `State changed from ${from} to ${to}`);
    const data = {
      appName: r.appName, from, to, exitCode, reason,
      dyno: { id: r.id, name: r.name, type: r.type, releaseVersion: r.releaseVersion, host: r.host ?? '127.0.0.1', port: r.port },
    };
    this.events = this.events.then(() => written).then(() => this.publisher.publish(DynoStateChanged, data, { appId: r.appId, ...r.cause })).catch((err: Error) => {
      this.log.warn(`publishing DynoStateChanged of ${r.name} (${from ?? 'new'} -> ${to}) failed; the route table is up to date: ${err.message}`);
    });
  }

  /** Takes a dyno out of the route table (it is stopping or no longer up). */
  unroute(r: DynoRecord): Promise<void> {
    r.routed = false;
    return this.routes.down(r.appName, r.id);
  }

  /** Resolves once every recorded change is published and written. */
  async flushed(): Promise<void> {
    await this.events.catch(() => undefined);
    await this.routes.flushed();
  }
}
