import { connect, createServer, type Server, type Socket } from 'node:net';
import { redisAuthAccepted, redisFirstCommand } from './redis-gate.js';

/** An add-on server on the host's loopback that tenants reach through a relay on their network's gateway. */
export interface RelayTarget {
  readonly kind: 'postgres' | 'redis';
  readonly host: string;
  readonly port: number;
}

/**
 * Relays tenants' connections from the gateway of their network to an add-on server that
 * listens on the host's loopback. Each connection to PostgreSQL is made from the gateway's
 * address, so the server sees a tenant, not a local process: PostgreSQL's pg_hba.conf asks for
 * the add-on role's password (`samehost`), and loopback trust never applies. A Redis connection
 * is passed on only once it authenticated as a named user (see redis-gate.ts).
 */
export class AddonRelay {
  private constructor(private readonly server: Server, private readonly sockets: Set<Socket>) {}

  /** Listens on gateway:target.port; an address that is taken already (another service of the scope) is fine. */
  static async open(gateway: string, target: RelayTarget): Promise<AddonRelay | undefined> {
    const relays = new Set<Socket>();
    const server = createServer((client) => relay(client, gateway, target, relays));
    const listening = await new Promise<boolean>((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) => (err.code === 'EADDRINUSE' ? resolve(false) : reject(err)));
      server.listen({ host: gateway, port: target.port, exclusive: true }, () => resolve(true));
    });
    if (!listening) return undefined;
    return new AddonRelay(server, relays);
  }

  /** Stops listening and ends the connections it relays. */
  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

function relay(client: Socket, gateway: string, target: RelayTarget, all: Set<Socket>): void {
  // PostgreSQL must see a tenant (pg_hba.conf then asks for the role's password); Redis refuses a
  // non-loopback client while its default user has no password, and the gate below checks who logs in.
  const server = connect({ host: target.host, port: target.port, ...(target.kind === 'postgres' ? { localAddress: gateway } : {}) });
  all.add(client);
  all.add(server);
  const end = () => {
    client.destroy();
    server.destroy();
    all.delete(client);
    all.delete(server);
  };
  client.on('error', end).on('close', end);
  server.on('error', end).on('close', end);
  if (target.kind === 'redis') gateRedis(client, server, end);
  else pipeBoth(client, server);
}

function pipeBoth(a: Socket, b: Socket): void {
  a.pipe(b);
  b.pipe(a);
}

/** Holds a Redis connection until its first command authenticated as a named user and Redis said yes. */
function gateRedis(client: Socket, server: Socket, end: () => void): void {
  let pending = Buffer.alloc(0);
  const onClient = (chunk: Buffer) => {
    pending = Buffer.concat([pending, chunk]);
    const verdict = redisFirstCommand(pending);
    if (verdict.kind === 'more') return;
    client.off('data', onClient);
    if (verdict.kind === 'refuse') {
      client.end(verdict.reply);
      server.destroy();
      return;
    }
    client.pause();
    server.write(pending.subarray(0, verdict.length));
    const rest = pending.subarray(verdict.length);
    let reply = Buffer.alloc(0);
    const onReply = (data: Buffer) => {
      reply = Buffer.concat([reply, data]);
      const ok = redisAuthAccepted(reply);
      if (ok === 'more') return;
      server.off('data', onReply);
      client.write(reply);
      if (!ok) return void client.end(() => end());
      if (rest.length > 0) server.write(rest);
      pipeBoth(client, server);
      client.resume();
    };
    server.on('data', onReply);
  };
  client.on('data', onClient);
}
