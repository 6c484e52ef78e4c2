import { Module, type DynamicModule } from '@nestjs/common';
import { MessagingModule } from '@paas/messaging';
import { ProxyServer } from './adapters/proxy-server.js';
import { RouteWatcher } from './adapters/route-watcher.js';
import type { RouterSettings } from './config.js';
import { RoutingTable } from './domain/routing-table.js';
import { ROUTING_TABLE, SETTINGS } from './tokens.js';

export { SETTINGS };

/**
 * The router: RouteWatcher keeps the routing table from the KV bucket, ProxyServer serves HTTP
 * from it. It handles no NATS subject of its own (Ping is answered by the transport), so it has
 * no controller; its one "route" is the proxy's request handler.
 */
@Module({})
export class RouterModule {
  static forRoot(settings: RouterSettings): DynamicModule {
    return {
      module: RouterModule,
      imports: [MessagingModule.forRoot('router', settings.messaging)],
      controllers: [],
      providers: [
        { provide: SETTINGS, useValue: settings },
        { provide: ROUTING_TABLE, useValue: new RoutingTable(settings.domain) },
        RouteWatcher,
        ProxyServer,
      ],
    };
  }
}
