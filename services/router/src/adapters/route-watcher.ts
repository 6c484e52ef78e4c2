import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { Names } from '@paas/contracts';
import { NAMES, NATS_CONNECTION, RouteTable, type NatsConnection } from '@paas/messaging';
import type { RouterSettings } from '../config.js';
import type { RouteTableChange, RoutingTable } from '../domain/routing-table.js';
import { ROUTING_TABLE, SETTINGS } from '../tokens.js';

/**
 * Keeps the in-memory routing table equal to the KV route table: the watch delivers every current
 * entry, then each change. Boot waits for the current entries, so the proxy never starts listening
 * with a half-loaded table. The watch is an ephemeral ordered consumer: any number of routers
 * can run side by side without anything per-process in NATS.
 */
@Injectable()
export class RouteWatcher implements OnModuleInit, OnApplicationShutdown {
  private readonly log = new Logger('routes');
  private stop?: () => void;

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(NAMES) private readonly names: Names,
    @Inject(SETTINGS) private readonly settings: RouterSettings,
    @Inject(ROUTING_TABLE) private readonly table: RoutingTable,
  ) {}

  async onModuleInit(): Promise<void> {
    const routes = await RouteTable.open(this.nc, this.names);
    const watch = await routes.watch((change) => this.apply(change));
    this.stop = watch.stop;
    try {
      await withDeadline(watch.ready, this.settings.routesLoadTimeoutMs,
        `loading the route table from bucket ${this.names.routesBucket} took over ${this.settings.routesLoadTimeoutMs} ms; ` +
        'check NATS, or raise PAAS_ROUTER_ROUTES_TIMEOUT_MS');
    } catch (err) {
      watch.stop();
      throw err;
    }
    this.log.log(`route table loaded: ${this.table.appCount} app(s); following changes`);
  }

  onApplicationShutdown(): void {
    this.stop?.();
  }

  private apply(change: RouteTableChange): void {
    try {
      this.table.apply(change);
    } catch (err) {
      this.log.error(`cannot apply route change for ${change.name} (${(err as Error).message}); keeping the previous route`);
    }
  }
}

async function withDeadline(p: Promise<void>, ms: number, message: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(message)), ms); });
  try {
    await Promise.race([p, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
