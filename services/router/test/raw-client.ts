import { createHash, randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { waitFor } from '@paas/testing';

/** RFC 6455's GUID: the server proves it read the key by hashing it with this. */
const WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** The Sec-WebSocket-Accept a server must answer for `key`. */
export function wsAccept(key: string): string {
  return createHash('sha1').update(key + WS_GUID).digest('base64');
}

/** A fresh random Sec-WebSocket-Key. */
export function wsKey(): string {
  return randomBytes(16).toString('base64');
}

/** A raw TCP client that keeps everything it received, for speaking HTTP/WebSocket by hand. */
export class RawClient {
  received = Buffer.alloc(0);
  /** The other side ended its half (sent FIN). */
  ended = false;
  closed = false;
  /** Socket errors seen (a reset, say). */
  readonly errors: string[] = [];

  private constructor(readonly socket: Socket) {
    socket.on('data', (c: Buffer) => { this.received = Buffer.concat([this.received, c]); });
    socket.on('end', () => { this.ended = true; });
    socket.on('close', () => { this.closed = true; });
    socket.on('error', (err) => { this.errors.push(err.message); });
  }

  /** Connects to a loopback port; with allowHalfOpen the client's side stays open after the other's FIN until end(). */
  static open(port: number, { allowHalfOpen = false } = {}): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const s = connect({ port, host: '127.0.0.1', allowHalfOpen }, () => { s.off('error', reject); resolve(new RawClient(s)); });
      s.once('error', reject);
    });
  }

  /** Everything received so far as text. */
  text(): string {
    return this.received.toString('latin1');
  }

  /** Waits until the received text satisfies `ok`. */
  until(what: string, ok: (text: string) => boolean, timeoutMs = 5000): Promise<string> {
    return waitFor(what, () => (ok(this.text()) ? this.text() : undefined), { timeoutMs, intervalMs: 10 });
  }

  /** Waits until the server (or router) closed the connection. */
  untilClosed(what: string, timeoutMs = 5000): Promise<true> {
    return waitFor(what, () => this.closed || undefined, { timeoutMs, intervalMs: 10 });
  }

  /** The status line and headers once the whole head has arrived. */
  async head(): Promise<{ status: number; headers: Record<string, string>; rest: string }> {
    const text = await this.until('the response head', (t) => t.includes('\r\n\r\n'));
    const [head, ...rest] = text.split('\r\n\r\n');
    const [statusLine, ...lines] = head.split('\r\n');
    const headers: Record<string, string> = {};
    for (const l of lines) {
      const i = l.indexOf(':');
      headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
    }
    return { status: Number(statusLine.split(' ')[1]), headers, rest: rest.join('\r\n\r\n') };
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/** An HTTP/1.1 WebSocket upgrade request for `host` with the given key. */
export function upgradeRequest(host: string, key: string, path = '/', extra: Record<string, string> = {}): string {
  const lines = [`GET ${path} HTTP/1.1`, `Host: ${host}`, 'Connection: Upgrade', 'Upgrade: websocket',
    'Sec-WebSocket-Version: 13', `Sec-WebSocket-Key: ${key}`, ...Object.entries(extra).map(([k, v]) => `${k}: ${v}`)];
  return `${lines.join('\r\n')}\r\n\r\n`;
}
