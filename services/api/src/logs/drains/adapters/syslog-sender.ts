import { connect as tcpConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { DrainTarget, LogLine } from '@paas/contracts';
import { pinnedLookup } from '../../../net/pinned-lookup.js';
import { frames } from '../domain/syslog-frame.js';
import type { DrainSender } from './drain-sender.js';

/**
 * Syslog over TCP or TLS (RFC 6587 octet counting): one long-lived connection per drain, opened
 * on first use and again after it broke. A batch counts as sent once the socket took it; a
 * receiver that stops reading makes writes wait (and time out), never the app.
 */
export class SyslogSender implements DrainSender {
  private socket: Socket | undefined;

  /** `pin` answers the address the drain may be reached at (checked by the address guard at each connection). */
  constructor(private readonly target: DrainTarget, private readonly token: string, private readonly timeoutMs: number, private readonly pin: () => Promise<string>) {}

  async send(lines: readonly LogLine[]): Promise<void> {
    const socket = this.socket ?? (this.socket = await this.connect());
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => socket.destroy(new Error(`writing took longer than ${this.timeoutMs} ms`)), this.timeoutMs);
      socket.write(frames(lines, this.token), (err) => {
        clearTimeout(timer);
        if (err) reject(err); else resolve();
      });
    });
  }

  close(): void {
    this.socket?.destroy();
    this.socket = undefined;
  }

  private async connect(): Promise<Socket> {
    const { host, port, transport } = this.target;
    const lookup = pinnedLookup(await this.pin());
    return new Promise<Socket>((resolve, reject) => {
      const socket = transport === 'syslog-tls'
        ? tlsConnect({ host, port, servername: isIP(host) ? undefined : host, lookup })
        : tcpConnect({ host, port, lookup });
      const timer = setTimeout(() => socket.destroy(new Error(`connecting took longer than ${this.timeoutMs} ms`)), this.timeoutMs);
      socket.once(transport === 'syslog-tls' ? 'secureConnect' : 'connect', () => {
        clearTimeout(timer);
        socket.off('error', reject);
        socket.on('error', () => undefined); // surfaces in the pending write's callback
        socket.once('close', () => { if (this.socket === socket) this.socket = undefined; });
        socket.resume(); // a receiver may talk back; nothing it says matters
        resolve(socket);
      });
      socket.once('error', (err) => { clearTimeout(timer); reject(err); });
    });
  }
}
