import { randomUUID } from 'node:crypto';
import { request, STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { DynoRoute } from '@paas/contracts';
import { downstreamHeaders, forwardedFor, upstreamHeaders, type HeaderMap } from '../domain/forward-headers.js';
import { clientAddress, hostWithoutPort } from '../domain/host.js';
import { routerLogLine } from '../domain/log-line.js';
import { requestIdFor } from '../domain/request-id.js';
import { limitBreach } from '../domain/limits.js';
import { badRequestPage, errorPage, noSuchAppPage, restrictionPage, ROUTER_ERRORS, type RouterErrorCode, type RouterPage } from '../domain/router-errors.js';
import { chooseDyno } from '../domain/routing-table.js';
import { watchIdle } from './idle.js';
import type { ProxyOptions } from './proxy.js';
import type { RoutedRequest } from './upstream.js';

/** What the tunnel needs: the proxy's routing, timeouts and log sink. */
export type TunnelOptions = Omit<ProxyOptions, 'newRequestId'>;

/** One upgrade request on its way through the router. */
interface Upgrade extends RoutedRequest {
  client: Duplex;
  head: Buffer;
  logged: boolean;
}

/**
 * The router's 'upgrade' handler (WebSockets): the upgrade request goes to a random up web dyno
 * with the usual forwarding headers plus Connection/Upgrade; after the dyno's 101 both sockets are
 * piped until either side closes or nothing moves for the idle timeout (H15). Anything else the
 * dyno answers is relayed and the connection closed.
 */
export class RouterTunnel {
  /** Open client sockets: upgraded ones leave node's server bookkeeping, so shutdown must cut them here. */
  private readonly open = new Set<Duplex>();

  constructor(private readonly o: TunnelOptions) {}

  /** Cuts every open tunnel (shutdown after the grace period). */
  closeAll(): void {
    for (const s of this.open) s.destroy();
  }

  /** Handles one upgrade (bind it as the server's 'upgrade' listener). */
  readonly handle = (req: IncomingMessage, client: Duplex, head: Buffer): void => {
    client.on('error', () => undefined);
    this.open.add(client);
    client.once('close', () => this.open.delete(client));
    const u = this.begin(req, client, head);
    const hosts = req.rawHeaders.filter((h, i) => i % 2 === 0 && h.toLowerCase() === 'host').length;
    if (hosts !== 1) return writePage(client, badRequestPage('A request needs exactly one Host header.'), u.requestId);
    const target = this.o.table.route(req.headers.host);
    if (!target) return writePage(client, noSuchAppPage(u.host), u.requestId);
    u.appId = target.app.appId;
    const breach = limitBreach(req.method ?? '', req.url ?? '', req.httpVersion, req.rawHeaders);
    if (breach) {
      writePage(client, restrictionPage(breach.status, breach.reason), u.requestId);
      return this.record(u, breach.status, 'H25');
    }
    if (target.app.maintenance) return this.fail(u, 'H80');
    if (target.dynos.length === 0) return this.fail(u, target.crashed > 0 ? 'H10' : 'H14');
    this.connect(u, target.dynos, new Set(), 'H21');
  };

  private begin(req: IncomingMessage, client: Duplex, head: Buffer): Upgrade {
    const receivedAt = Date.now();
    const requestId = requestIdFor(req.headers['x-request-id'], randomUUID);
    const addr = clientAddress(req.socket.remoteAddress);
    const headers = upstreamHeaders(req.headers as HeaderMap, {
      clientAddress: addr, routerPort: req.socket.localPort ?? 0, requestId, receivedAt, protocol: 'http',
    });
    // Hop-by-hop as they are, these two are what asks the dyno to switch protocols.
    headers.connection = 'Upgrade';
    headers.upgrade = req.headers.upgrade ?? 'websocket';
    return {
      req, client, head, requestId, headers, logged: false,
      host: hostWithoutPort(req.headers.host ?? '').toLowerCase(),
      fwd: forwardedFor(req.headers as HeaderMap, addr),
    };
  }

  /** Tries a random untried dyno; a refused or slow connection moves on to the next one. */
  private connect(u: Upgrade, dynos: readonly DynoRoute[], tried: Set<string>, lastCode: RouterErrorCode): void {
    const dyno = chooseDyno(this.o.quarantine.prefer(dynos.filter((d) => !tried.has(d.dynoId))), tried, this.o.random ?? Math.random);
    if (!dyno) return this.fail(u, lastCode);
    tried.add(dyno.dynoId);
    u.dyno = dyno.dyno;
    const startedAt = Date.now();
    const up = request({ host: dyno.host, port: dyno.port, method: u.req.method, path: u.req.url, headers: u.headers, agent: false });
    let phase: 'connecting' | 'sent' | 'done' = 'connecting';
    let code: RouterErrorCode | undefined;
    const connectTimer = setTimeout(() => { code = 'H19'; up.destroy(new Error('connect timeout')); }, this.o.connectTimeoutMs);
    let answerTimer: NodeJS.Timeout | undefined;
    up.on('socket', (s) => s.once('connect', () => {
      clearTimeout(connectTimer);
      phase = 'sent';
      u.connectMs = Date.now() - startedAt;
      u.sentAt = Date.now();
      answerTimer = setTimeout(() => { code = 'H12'; up.destroy(new Error('no answer in time')); }, this.o.responseTimeoutMs);
    }));
    const settle = (): void => { phase = 'done'; clearTimeout(connectTimer); clearTimeout(answerTimer); };
    u.client.once('close', () => { if (phase !== 'done') { settle(); up.destroy(); } });
    up.on('upgrade', (res, dynoSocket, dynoHead) => { settle(); this.pipe(u, res, dynoSocket, dynoHead); });
    up.on('response', (res) => { settle(); this.relay(u, res); });
    up.on('error', () => {
      if (phase === 'done') return;
      clearTimeout(connectTimer);
      clearTimeout(answerTimer);
      if (phase === 'connecting') {
        this.o.quarantine.add(dyno.dynoId);
        return this.connect(u, dynos, tried, code ?? 'H21');
      }
      phase = 'done';
      this.fail(u, code ?? 'H13');
    });
    up.end();
  }

  /** The dyno switched protocols: pass its 101 on, then bytes both ways until one side ends or all goes quiet. */
  private pipe(u: Upgrade, res: IncomingMessage, dynoSocket: Duplex, dynoHead: Buffer): void {
    dynoSocket.on('error', () => undefined);
    u.client.write(statusHead(res, withUpgrade(res.headers as HeaderMap)));
    if (dynoHead.length > 0) u.client.write(dynoHead);
    if (u.head.length > 0) dynoSocket.write(u.head);
    this.record(u, 101);
    const idle = watchIdle(this.o.idleTimeoutMs, () => {
      u.logged = false;
      this.record(u, 101, 'H15');
      u.client.destroy();
      dynoSocket.destroy();
    });
    u.client.on('data', idle.touch);
    dynoSocket.on('data', idle.touch);
    const end = (): void => { idle.stop(); u.client.destroy(); dynoSocket.destroy(); };
    u.client.once('close', end);
    dynoSocket.once('close', end);
    u.client.pipe(dynoSocket);
    dynoSocket.pipe(u.client);
  }

  /** The dyno declined the upgrade: its answer goes to the client as is, then the connection closes. */
  private relay(u: Upgrade, res: IncomingMessage): void {
    const headers = downstreamHeaders(res.headers as HeaderMap);
    headers.connection = 'close';
    u.client.write(statusHead(res, headers));
    res.on('error', () => u.client.destroy());
    res.pipe(u.client);
    this.record(u, res.statusCode ?? 502);
  }

  private fail(u: Upgrade, code: RouterErrorCode): void {
    writePage(u.client, errorPage(code, u.requestId), u.requestId);
    this.record(u, ROUTER_ERRORS[code].status, code);
  }

  /** The upgrade's log line (one per upgrade; an idle cut adds its H15 line). */
  private record(u: Upgrade, status: number, code?: RouterErrorCode): void {
    if (u.logged || u.appId === undefined) return;
    u.logged = true;
    this.o.log(u.appId, routerLogLine({
      method: u.req.method ?? '', path: u.req.url ?? '', host: u.host, requestId: u.requestId, fwd: u.fwd,
      protocol: 'http', status, code, dyno: u.dyno, connectMs: u.connectMs,
      serviceMs: u.sentAt === undefined ? undefined : Date.now() - u.sentAt,
      bytes: u.dyno === undefined ? undefined : 0,
    }));
  }
}

/** The dyno's 101 headers with Connection/Upgrade kept (they are the point of the answer). */
function withUpgrade(fromDyno: HeaderMap): HeaderMap {
  const out = downstreamHeaders(fromDyno);
  out.connection = 'Upgrade';
  if (fromDyno.upgrade !== undefined) out.upgrade = fromDyno.upgrade;
  return out;
}

/** An HTTP/1.1 status line and header block, as written on a raw socket. */
function statusHead(res: { statusCode?: number; statusMessage?: string }, headers: HeaderMap): string {
  const status = res.statusCode ?? 502;
  const lines = [`HTTP/1.1 ${status} ${res.statusMessage || STATUS_CODES[status] || ''}`];
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) lines.push(`${name}: ${v}`);
  }
  return `${lines.join('\r\n')}\r\n\r\n`;
}

/** A router page on a raw socket (no http.ServerResponse exists for an upgrade), then close. */
export function writePage(socket: Duplex, page: RouterPage, requestId?: string): void {
  if (socket.destroyed) return;
  const headers: HeaderMap = {
    'content-type': page.contentType, 'content-length': Buffer.byteLength(page.body),
    'cache-control': 'no-cache, no-store', connection: 'close',
  };
  if (requestId) headers['x-request-id'] = requestId;
  socket.end(statusHead({ statusCode: page.status }, headers) + page.body);
}
