import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect, type Socket } from 'node:net';
import { checkTenantEgress, localAddresses, resolveAll, type AllowEntry, type AddressTarget } from '@paas/isolation';

const HOP_BY_HOP = new Set(['proxy-connection', 'proxy-authorization', 'connection', 'keep-alive', 'te', 'trailer', 'upgrade']);

/**
 * The builds' way to package registries on this host: an HTTP proxy on the builds' network
 * gateway (builds get HTTP_PROXY / HTTPS_PROXY) that lets a request through wherever a build could
 * connect by itself (the outside world), and to this host only where the operator lists it in
 * PAAS_BUILD_ALLOWED_HOSTS (a PIP_INDEX_URL on loopback); never to the platform's other listeners
 * or metadata addresses (checkTenantEgress). Each connection is pinned to the address that was
 * checked. CONNECT for HTTPS, absolute URIs for plain HTTP.
 */
export class EgressProxy {
  private readonly sockets = new Set<Socket>();

  private constructor(private readonly server: Server) {}

  static async open(host: string, port: number, allowed: readonly AllowEntry[]): Promise<EgressProxy> {
    const server = createServer((req, res) => void forward(req, res, allowed));
    const proxy = new EgressProxy(server);
    server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => void proxy.tunnel(req, client, head, allowed));
    server.on('connection', (s: Socket) => {
      proxy.sockets.add(s);
      s.once('close', () => proxy.sockets.delete(s));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host, port, exclusive: true }, () => resolve());
    });
    return proxy;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async tunnel(req: IncomingMessage, client: Socket, head: Buffer, allowed: readonly AllowEntry[]): Promise<void> {
    client.on('error', () => client.destroy());
    const target = authorityTarget(req.url ?? '');
    const verdict = target ? await check(target, allowed) : { ok: false as const, reason: `"${req.url}" is not host:port` };
    if (!verdict.ok) return void client.end(refusal(verdict.reason));
    const upstream = connect({ host: verdict.address, port: target!.port });
    this.sockets.add(upstream);
    upstream.once('close', () => this.sockets.delete(upstream));
    upstream.once('connect', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.once('error', (err) => client.end(refusal(`connecting to ${req.url} failed: ${err.message}`, 502)));
    client.once('close', () => upstream.destroy());
  }
}

/** A plain HTTP request by absolute URI, sent on to the checked address with its own Host. */
async function forward(req: IncomingMessage, res: ServerResponse, allowed: readonly AllowEntry[]): Promise<void> {
  let url: URL;
  try {
    url = new URL(req.url ?? '');
    if (url.protocol !== 'http:') throw new Error('not http');
  } catch {
    res.writeHead(400, { 'content-type': 'text/plain' }).end('This is the builds\' egress proxy: send absolute http:// URIs, or CONNECT for https.\n');
    return;
  }
  const target = { host: url.hostname.replace(/^\[|\]$/g, '').toLowerCase(), port: url.port ? Number(url.port) : 80 };
  const verdict = await check(target, allowed);
  if (!verdict.ok) {
    res.writeHead(403, { 'content-type': 'text/plain' }).end(`${verdict.reason}\n`);
    return;
  }
  const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => !HOP_BY_HOP.has(k)));
  const upstream = request({ host: verdict.address, port: target.port, method: req.method, path: url.pathname + url.search, headers, setHost: false }, (answer) => {
    res.writeHead(answer.statusCode ?? 502, Object.fromEntries(Object.entries(answer.headers).filter(([k]) => !HOP_BY_HOP.has(k))));
    answer.pipe(res);
  });
  upstream.on('error', (err) => {
    if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
    res.end(`${url.host} could not be reached: ${err.message}\n`);
  });
  req.pipe(upstream);
}

/** Resolves the target and asks the address guard; every address must pass, the first is used. */
async function check(target: AddressTarget, allowed: readonly AllowEntry[]): Promise<{ ok: true; address: string } | { ok: false; reason: string }> {
  const found = await resolveAll(target.host);
  if ('failed' in found) return { ok: false, reason: `${target.host} cannot be resolved (${found.failed})` };
  return checkTenantEgress(target, found.addresses, allowed, localAddresses());
}

/** host:port of a CONNECT request. */
function authorityTarget(authority: string): AddressTarget | undefined {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/.exec(authority);
  const port = Number(m?.[3]);
  if (!m || port < 1 || port > 65535) return undefined;
  return { host: (m[1] ?? m[2]!).toLowerCase(), port };
}

function refusal(reason: string, status = 403): string {
  const body = `${reason}\n`;
  return `HTTP/1.1 ${status} ${status === 403 ? 'Forbidden' : 'Bad Gateway'}\r\ncontent-type: text/plain\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`;
}
