import { Logger } from '@nestjs/common';
import { routeKeys, type AppRoute } from '@paas/contracts';
import type { RouteTable } from '@paas/messaging';

const WRITE_TIMEOUT_MS = 10_000;

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** A web dyno as the route table shows it. */
export interface RoutedDyno {
  readonly id: string;
  readonly appId: string;
  readonly appName: string;
  readonly name: string;
  readonly releaseVersion: number;
  readonly host: string;
  readonly port: number;
  /** Up dynos take traffic; crashed ones are listed so routers can tell H10 from H14. */
  readonly state?: 'up' | 'crashed';
}

/**
 * Writes the route table in the order changes happened (one queue), so a put and the delete
 * that follows it never swap. A failed write is logged and the next reconcile writes again.
 */
export class RouteWriter {
  private readonly log = new Logger('dyno-manager:routes');
  private queue: Promise<unknown> = Promise.resolve();
  /** Set when a write failed: the periodic resync then rewrites every route. */
  private failed = false;

  constructor(private readonly table: RouteTable) {}

  /** Writes the app's route: that it exists, its maintenance mode and its custom domains. */
  app(route: AppRoute): Promise<void> {
    return this.enqueue(`routing app ${route.appName}`, () => this.table.putApp(route));
  }

  up(d: RoutedDyno): Promise<void> {
    return this.enqueue(`routing to ${d.name} of ${d.appName}`, () => this.table.putDyno({
      appId: d.appId, appName: d.appName, dynoId: d.id, dyno: d.name, releaseVersion: d.releaseVersion, state: d.state ?? 'up', host: d.host, port: d.port,
    }));
  }

  down(appName: string, dynoId: string): Promise<void> {
    return this.enqueue(`removing route of dyno ${dynoId} of ${appName}`, () => this.table.deleteDyno(appName, dynoId));
  }

  deleteApp(appName: string): Promise<void> {
    return this.enqueue(`removing app ${appName}`, () => this.table.deleteApp(appName));
  }

  /** Makes the dyno routes match what runs: routes the given up (or crashed) web dynos, deletes every other dyno route. */
  async syncDynos(up: readonly RoutedDyno[]): Promise<void> {
    const live = new Set(up.map((d) => routeKeys.dyno(d.appName, d.id)));
    for (const key of await this.table.keys('dyno.>')) {
      const [, appName, dynoId] = key.split('.');
      if (!live.has(key)) await this.down(appName, dynoId);
    }
    for (const d of up) await this.up(d);
  }

  /** Deletes app routes (and their dyno routes) of apps that are not in `known`. */
  async pruneApps(known: ReadonlySet<string>): Promise<void> {
    for (const key of await this.table.keys('app.>')) {
      const appName = key.slice('app.'.length);
      if (!known.has(appName)) await this.deleteApp(appName);
    }
  }

  /** True (once) when a write failed since the last call: the caller should rewrite every route. */
  takeFailure(): boolean {
    const f = this.failed;
    this.failed = false;
    return f;
  }

  /** Resolves once every write queued so far is done. */
  flushed(): Promise<void> {
    return this.queue.then(() => undefined);
  }

  private enqueue(what: string, write: () => Promise<void>): Promise<void> {
    // A stalled KV call must not hold every later route change behind it.
    const bounded = () => withTimeout(write(), WRITE_TIMEOUT_MS, what);
    const next = this.queue.then(bounded).catch((err: Error) => {
      this.failed = true;
      this.log.warn(`${what} in the route table failed, the periodic resync writes it again: ${err.message}`);
    });
    this.queue = next;
    return next;
  }
}
