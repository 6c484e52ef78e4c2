import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { Server, ServerCredentials } from '@grpc/grpc-js';
import type { Names } from '@paas/contracts';
import { NAMES, NATS_CONNECTION, type NatsConnection } from '@paas/messaging';
import type { ApiSettings } from '../config.js';
import { presentedKey } from '../api-key.js';
import { AuthGuard } from '../auth.guard.js';
import { PlatformService } from '../platform.service.js';
import { SETTINGS } from '../tokens.js';
import { GrpcCalls } from './grpc-calls.js';
import { platformHandlers } from './grpc-handlers.js';
import { LogTail } from './log-tail.js';
import { platformService } from './proto.js';

/** The gRPC API (paas.v1.Platform) on PAAS_API_HOST:PAAS_GRPC_PORT, started and stopped with the app. */
@Injectable()
export class GrpcServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('api');
  private readonly server = new Server();
  private readonly tail: LogTail;
  private boundPort: number | undefined;

  constructor(
    @Inject(SETTINGS) private readonly settings: ApiSettings,
    @Inject(NATS_CONNECTION) nc: NatsConnection,
    @Inject(NAMES) names: Names,
    private readonly platform: PlatformService,
    private readonly guard: AuthGuard,
  ) {
    this.tail = new LogTail(nc, names);
  }

  /** host:port a client dials (the bound port when PAAS_GRPC_PORT was 0). */
  get address(): string {
    if (this.boundPort === undefined) throw new Error('the gRPC API is not listening yet: ask for its address after the api has started');
    return `${hostForUrl(this.settings.host)}:${this.boundPort}`;
  }

  async onApplicationBootstrap(): Promise<void> {
    this.server.addService(platformService().definition, platformHandlers(this.platform, this.tail, new GrpcCalls((authorization) => this.guard.resolve(presentedKey(authorization)))));
    const target = `${hostForUrl(this.settings.host)}:${this.settings.grpcPort}`;
    this.boundPort = await new Promise<number>((resolve, reject) => {
      this.server.bindAsync(target, ServerCredentials.createInsecure(), (err, port) => (err
        ? reject(new Error(`starting the gRPC API on ${target}: ${err.message}; set PAAS_GRPC_PORT to a free port (0 picks one)`))
        : resolve(port)));
    });
    this.log.log(`gRPC API on ${this.address}`);
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.boundPort === undefined) return;
    // Tails never end by themselves: end them so the graceful shutdown does not wait forever.
    this.tail.closeAll();
    await new Promise<void>((resolve) => {
      const force = setTimeout(() => {
        this.server.forceShutdown();
        resolve();
      }, 5_000);
      this.server.tryShutdown(() => {
        clearTimeout(force);
        resolve();
      });
    });
    this.boundPort = undefined;
  }
}

function hostForUrl(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}
