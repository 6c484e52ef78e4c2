import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';

/**
 * Stand-ins for log drain receivers, started by a test on 127.0.0.1: a syslog TCP server and an
 * HTTPS endpoint that read Logplex's octet-counted RFC 5424 frames as a real receiver would
 * (written here, independently of the platform's own framing code).
 */

export interface SyslogFrame { pri: number; timestamp: string; host: string; appName: string; procId: string; message: string }

const MESSAGE = /^<(\d{1,3})>1 (\S+) (\S+) (\S+) (\S+) - - ([^]*?)\n?$/;

/** Splits `<len> <msg>` frames off the front of `buf`; what is incomplete stays in `rest`. */
export function readFrames(buf: Buffer): { frames: SyslogFrame[]; rest: Buffer } {
  const frames: SyslogFrame[] = [];
  let at = 0;
  for (;;) {
    const sp = buf.indexOf(' ', at);
    if (sp < 0) break;
    const len = Number(buf.subarray(at, sp).toString('ascii'));
    if (!Number.isInteger(len) || len <= 0) throw new Error(`bad octet count at byte ${at}: ${JSON.stringify(buf.subarray(at, at + 20).toString())}`);
    if (buf.length < sp + 1 + len) break;
    const text = buf.subarray(sp + 1, sp + 1 + len).toString('utf8');
    const m = MESSAGE.exec(text);
    if (!m) throw new Error(`not an RFC 5424 message in Logplex's layout: ${JSON.stringify(text)}`);
    frames.push({ pri: Number(m[1]), timestamp: m[2]!, host: m[3]!, appName: m[4]!, procId: m[5]!, message: m[6]! });
    at = sp + 1 + len;
  }
  return { frames, rest: buf.subarray(at) };
}

/** A syslog server over plain TCP (or TLS, given a key and certificate) collecting every frame it is sent. */
export class SyslogReceiver {
  readonly frames: SyslogFrame[] = [];
  /** What could not be read as frames (the test asserts there is none). */
  readonly errors: string[] = [];
  private readonly sockets = new Set<Socket>();
  private constructor(private readonly server: NetServer, readonly port: number) {}

  static async start(tls?: { key: string; cert: string }): Promise<SyslogReceiver> {
    let self: SyslogReceiver | undefined;
    const onConnection = (s: Socket) => {
      self!.sockets.add(s);
      s.on('close', () => self!.sockets.delete(s));
      let pending: Buffer = Buffer.alloc(0);
      s.on('data', (d: Buffer) => {
        try {
          const { frames, rest } = readFrames(Buffer.concat([pending, d]));
          pending = rest;
          self!.frames.push(...frames);
        } catch (err) {
          self!.errors.push((err as Error).message);
          s.destroy();
        }
      });
      s.on('error', () => undefined);
    };
    const server: NetServer = tls ? createTlsServer(tls, onConnection) : createNetServer(onConnection);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    self = new SyslogReceiver(server, (server.address() as { port: number }).port);
    return self;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

/** One POST an HTTPS drain endpoint received. */
export interface DrainPost { headers: IncomingMessage['headers']; frames: SyslogFrame[] }

/**
 * An HTTPS endpoint collecting Logplex POSTs. While `hold()` is on it answers nothing (a drain
 * that cannot keep up); `release()` answers what it held and everything after at once.
 */
export class HttpsReceiver {
  readonly posts: DrainPost[] = [];
  readonly errors: string[] = [];
  private held: ServerResponse[] = [];
  private holding = false;
  private constructor(private readonly server: HttpsServer, readonly port: number) {}

  static async start(tls: { key: string; cert: string }): Promise<HttpsReceiver> {
    let self: HttpsReceiver | undefined;
    const server = createHttpsServer(tls, (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        let frames: SyslogFrame[] = [];
        try {
          frames = readFrames(Buffer.concat(chunks)).frames;
        } catch (err) {
          self!.errors.push((err as Error).message);
        }
        self!.posts.push({ headers: req.headers, frames });
        if (self!.holding) self!.held.push(res);
        else res.writeHead(200).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    self = new HttpsReceiver(server, (server.address() as { port: number }).port);
    return self;
  }

  get frames(): SyslogFrame[] {
    return this.posts.flatMap((p) => p.frames);
  }

  hold(): void {
    this.holding = true;
  }

  release(): void {
    this.holding = false;
    for (const res of this.held.splice(0)) res.writeHead(200).end();
  }

  async close(): Promise<void> {
    this.release();
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}
