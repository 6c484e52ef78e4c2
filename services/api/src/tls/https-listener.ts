import { createServer, type Server } from 'node:https';
import type { RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { PlatformTls } from './platform-tls.js';

/** The HTTPS listener serving the same Express app as the plain HTTP one; closed with the app. */
@Injectable()
export class HttpsListener implements OnApplicationShutdown {
  private server: Server | undefined;

  /** Starts listening; resolves once bound, rejects with what to change when the port is taken. */
  async start(tls: PlatformTls, handler: RequestListener, port: number, host: string): Promise<void> {
    const server = createServer({ key: tls.key, cert: tls.cert }, handler);
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) => reject(new Error(
        `starting the HTTPS listener on ${host}:${port} failed: ${err.message}. Set PAAS_API_TLS_PORT to a free port (0 picks one)`,
      )));
      server.listen(port, host, () => resolve());
    });
    this.server = server;
  }

  /** https://<host>:<port> of the bound listener. */
  get url(): string {
    if (!this.server) throw new Error('the HTTPS listener is not started yet');
    const { address, port } = this.server.address() as AddressInfo;
    return `https://${address.includes(':') ? `[${address}]` : address}:${port}`;
  }

  async onApplicationShutdown(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    // Long-lived responses (log streams, idle keep-alive) would hold close() open: end them.
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
  }
}
