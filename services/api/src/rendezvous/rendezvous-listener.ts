import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { createServer, type Server, type TLSSocket } from 'node:tls';
import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { StopDynos, type Names } from '@paas/contracts';
import { NAMES, NATS_CONNECTION, RpcClient, type NatsConnection } from '@paas/messaging';
import type { ApiSettings } from '../config.js';
import { AttachSecrets, parseSecretLine } from '../domain/attach-secrets.js';
import type { PlatformTls } from '../tls/platform-tls.js';
import { SETTINGS } from '../tokens.js';
import { relayAttached, type AttachTarget } from './attach-session.js';

/** How long a client has to send its secret line once connected. */
const SECRET_LINE_TIMEOUT_MS = 10_000;

/**
 * The rendezvous endpoint of `heroku run`: a TLS listener (platform certificate) where the CLI
 * presents the single-use secret of its attach_url and is then relayed to its one-off dyno.
 */
@Injectable()
export class RendezvousListener implements OnApplicationShutdown {
  private readonly log = new Logger('rendezvous');
  private readonly secrets: AttachSecrets<AttachTarget>;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly sockets = new Set<TLSSocket>();
  private server: Server | undefined;

  constructor(
    @Inject(SETTINGS) private readonly settings: ApiSettings,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(NAMES) private readonly names: Names,
    private readonly rpc: RpcClient,
  ) {
    this.secrets = new AttachSecrets(settings.rendezvousTimeoutMs);
  }

  /** Starts listening; resolves once bound, rejects with what to change when the port is taken. */
  async start(tls: PlatformTls, port: number, host: string): Promise<void> {
    const server = createServer({ key: tls.key, cert: tls.cert }, (socket) => this.accept(socket));
    server.on('tlsClientError', () => undefined);
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err: Error) => reject(new Error(
        `starting the rendezvous listener (heroku run) on ${host}:${port} failed: ${err.message}. Set PAAS_RENDEZVOUS_PORT to a free port (0 picks one)`,
      )));
      server.listen(port, host, () => resolve());
    });
    this.server = server;
  }

  /** The bound port. */
  get port(): number {
    if (!this.server) throw new Error('the rendezvous listener is not started yet');
    return (this.server.address() as AddressInfo).port;
  }

  /** A fresh attach_url for a pending attached dyno; it is dropped when nobody uses the URL in time. */
  offer(target: AttachTarget): string {
    if (!this.server) throw new Error('the rendezvous listener is not started: attached runs are unavailable until the api has started');
    const secret = randomBytes(24).toString('hex');
    const expiresAt = this.secrets.offer(secret, target, Date.now());
    const t = setTimeout(() => {
      this.timers.delete(t);
      this.expire();
    }, expiresAt - Date.now() + 10);
    t.unref();
    this.timers.add(t);
    return `rendezvous://${this.settings.host}:${this.port}/${secret}`;
  }

  async onApplicationShutdown(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    // A running `heroku run` would hold close() open: end it (its dyno is stopped as for any client that leaves).
    for (const s of this.sockets) s.destroy();
    await closed;
  }

  private expire(): void {
    for (const t of this.secrets.expire(Date.now())) {
      void this.rpc.request(StopDynos, { appId: t.appId, name: t.name, by: this.settings.adminEmail }).catch((err: Error) => {
        this.log.warn(`dropping ${t.name}, which nobody attached to, failed (the dyno-manager drops it later): ${err.message}`);
      });
    }
  }

  /** Reads the secret line; an unknown, used or expired secret gets the connection closed. */
  private accept(socket: TLSSocket): void {
    socket.setNoDelay(true);
    this.sockets.add(socket);
    socket.on('error', () => undefined);
    const timer = setTimeout(() => socket.destroy(), SECRET_LINE_TIMEOUT_MS);
    let received = Buffer.alloc(0);
    const onData = (d: Buffer) => {
      received = Buffer.concat([received, d]);
      const line = parseSecretLine(received);
      if (line === 'more') return;
      socket.off('data', onData);
      socket.pause();
      clearTimeout(timer);
      const target = line === 'invalid' ? undefined : this.secrets.take(line.secret, Date.now());
      if (!target || line === 'invalid') return void socket.destroy();
      const deps = { nc: this.nc, names: this.names, rpc: this.rpc, by: this.settings.adminEmail };
      relayAttached(socket, target, line.rest, deps).catch((err: Error) => {
        this.log.warn(`relaying ${target.name} failed: ${err.message}`);
        socket.destroy();
      });
    };
    socket.on('data', onData);
    socket.on('close', () => {
      clearTimeout(timer);
      this.sockets.delete(socket);
    });
  }
}
