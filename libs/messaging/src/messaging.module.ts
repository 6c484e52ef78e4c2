import { Inject, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { names, type Names, type ServiceName } from '@paas/contracts';
import { connectNats, type MessagingSettings, type NatsConnection } from './connection.js';
import { EventPublisher } from './publisher.js';
import { RpcClient } from './rpc-client.js';
import { ensureStreams } from './streams.js';
import { JetStreamTransport } from './transport.js';

export const NATS_CONNECTION = Symbol('NATS_CONNECTION');
export const NAMES = Symbol('NAMES');
export const MESSAGING_SETTINGS = Symbol('MESSAGING_SETTINGS');

class ConnectionCloser implements OnApplicationShutdown {
  constructor(@Inject(NATS_CONNECTION) private readonly nc: NatsConnection) {}
  async onApplicationShutdown(): Promise<void> {
    if (!this.nc.isClosed()) await this.nc.drain().catch(() => this.nc.close());
  }
}

/** NATS for one service: the connection, its names, the event publisher, the RPC client and the transport. */
@Module({})
export class MessagingModule {
  static forRoot(service: ServiceName, settings: MessagingSettings): DynamicModule {
    return {
      module: MessagingModule,
      global: true,
      providers: [
        { provide: MESSAGING_SETTINGS, useValue: settings },
        { provide: NAMES, useValue: names(settings.namespace) },
        {
          provide: NATS_CONNECTION,
          inject: [NAMES],
          useFactory: async (n: Names) => {
            const nc = await connectNats(settings.natsUrl, `paas-${service}`);
            await ensureStreams(nc, n, settings.logLines);
            return nc;
          },
        },
        { provide: EventPublisher, inject: [NATS_CONNECTION, NAMES], useFactory: (nc: NatsConnection, n: Names) => new EventPublisher(nc, n, service) },
        { provide: RpcClient, inject: [NATS_CONNECTION, NAMES], useFactory: (nc: NatsConnection, n: Names) => new RpcClient(nc, n, service, settings.rpcTimeoutMs) },
        { provide: JetStreamTransport, inject: [NATS_CONNECTION, NAMES], useFactory: (nc: NatsConnection, n: Names) => new JetStreamTransport(nc, n, service, settings) },
        ConnectionCloser,
      ],
      exports: [MESSAGING_SETTINGS, NAMES, NATS_CONNECTION, EventPublisher, RpcClient, JetStreamTransport],
    };
  }
}
