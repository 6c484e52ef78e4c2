import { Kvm, type KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { retryStorageRace } from './streams.js';
import { appRoute, dynoRoute, routeKeys, type AppRoute, type AppRouteInput, type DynoRoute, type Names } from '@paas/contracts';

export type RouteChange =
  | { kind: 'app'; name: string; route: AppRoute | null }
  | { kind: 'dyno'; name: string; dynoId: string; route: DynoRoute | null };

/** The route table in its KV bucket: the dyno-manager writes it, routers watch it. */
export class RouteTable {
  private constructor(private readonly kv: KV) {}

  static async open(nc: NatsConnection, n: Names): Promise<RouteTable> {
    const kv = await retryStorageRace(() => new Kvm(nc).create(n.routesBucket, { history: 1 }));
    return new RouteTable(kv);
  }

  async putApp(route: AppRouteInput): Promise<void> {
    await this.kv.put(routeKeys.app(route.appName), JSON.stringify(appRoute.parse(route)));
  }

  async putDyno(route: DynoRoute): Promise<void> {
    await this.kv.put(routeKeys.dyno(route.appName, route.dynoId), JSON.stringify(dynoRoute.parse(route)));
  }

  async deleteDyno(appName: string, dynoId: string): Promise<void> {
    await this.kv.delete(routeKeys.dyno(appName, dynoId));
  }

  /** Removes an app and every dyno route of it. */
  async deleteApp(appName: string): Promise<void> {
    for (const key of await this.keys(routeKeys.dynosOf(appName))) await this.kv.delete(key);
    await this.kv.delete(routeKeys.app(appName));
  }

  async keys(filter = '>'): Promise<string[]> {
    const out: string[] = [];
    for await (const k of await this.kv.keys(filter)) out.push(k);
    return out;
  }

  async dynos(appName: string): Promise<DynoRoute[]> {
    const out: DynoRoute[] = [];
    for (const k of await this.keys(routeKeys.dynosOf(appName))) {
      const e = await this.kv.get(k);
      if (e && e.operation === 'PUT') out.push(dynoRoute.parse(e.json()));
    }
    return out;
  }

  /**
   * Calls onChange for every current entry, then for each change, until stop() is called;
   * `ready` resolves once the current entries have all been delivered.
   */
  async watch(onChange: (c: RouteChange) => void, onInvalid?: (key: string, err: Error) => void): Promise<{ ready: Promise<void>; stop: () => void }> {
    const it = await this.kv.watch({ key: '>' });
    let markReady!: () => void;
    const ready = new Promise<void>((r) => { markReady = r; });
    (async () => {
      for await (const e of it) {
        const deleted = e.operation !== 'PUT';
        const [kind, name, dynoId] = e.key.split('.');
        try {
          if (kind === 'app') onChange({ kind, name, route: deleted ? null : appRoute.parse(e.json()) });
          else if (kind === 'dyno') onChange({ kind, name, dynoId, route: deleted ? null : dynoRoute.parse(e.json()) });
        } catch (err) {
          // One malformed entry must not stop every later route change from arriving.
          onInvalid?.(e.key, err as Error);
        }
        if (e.delta === 0) markReady();
      }
    })().catch(() => undefined);
    // An empty bucket delivers nothing; the watcher's initial state is then complete at once.
    if ((await this.keys()).length === 0) markReady();
    return { ready, stop: () => it.stop() };
  }
}
