import { randomUUID } from 'node:crypto';
import { Agent, type IncomingMessage, type ServerResponse } from 'node:http';
import { upstreamHeaders, forwardedFor, type HeaderMap } from '../domain/forward-headers.js';
import { clientAddress, hostWithoutPort } from '../domain/host.js';
import { routerLogLine } from '../domain/log-line.js';
import { requestIdFor } from '../domain/request-id.js';
import type { Quarantine } from '../domain/quarantine.js';
import { limitBreach } from '../domain/limits.js';
import { badRequestPage, errorPage, noSuchAppPage, restrictionPage, ROUTER_ERRORS, type RouterErrorCode, type RouterPage } from '../domain/router-errors.js';
import type { RoutingTable } from '../domain/routing-table.js';
import { forwardToDyno, type Exchange } from './upstream.js';

/** What the proxy needs: where apps live, how long to wait, and where log lines go. */
export interface ProxyOptions {
  domain: string;
  connectTimeoutMs: number;
  responseTimeoutMs: number;
  idleTimeoutMs: number;
  quarantine: Quarantine;
  table: RoutingTable;
  /** Publishes one `heroku[router]` line to the app's log stream; must not block or throw. */
  log: (appId: string, line: string) => void;
  random?: () => number;
  newRequestId?: () => string;
}

/**
 * The router's request handler for a plain node:http server: Host -> app -> a random up web
 * dyno, bodies streamed both ways, one log line per request. Never throws and never lets a
 * backend or client failure escape: each ends as a page to the client and an error log line.
 */
export class RouterProxy {
  /** Keep-alive to dynos saves a TCP handshake per request; LIFO keeps the pool small. */
  private readonly agent = new Agent({ keepAlive: true, scheduling: 'lifo' });
  private readonly random: () => number;
  private readonly newRequestId: () => string;

  constructor(private readonly o: ProxyOptions) {
    this.random = o.random ?? Math.random;
    this.newRequestId = o.newRequestId ?? randomUUID;
  }

  /** Handles one request (bind it as the server's 'request' listener). */
  readonly handle = (req: IncomingMessage, res: ServerResponse): void => {
    const x = this.begin(req, res);
    // A client that goes away mid-request must cost nothing but its own request.
    req.on('error', () => undefined);
    res.on('error', () => undefined);
    res.on('close', () => this.onClientClosed(x));
    if (hostHeaderCount(req.rawHeaders) !== 1) return this.answer(x, badRequestPage('A request needs exactly one Host header.'));
    const target = this.o.table.route(req.headers.host);
    x.appId = target?.app.appId;
    const breach = limitBreach(req.method ?? '', req.url ?? '', req.httpVersion, req.rawHeaders);
    if (breach) {
      this.answer(x, restrictionPage(breach.status, breach.reason));
      return this.record(x, breach.status, 'H25');
    }
    if (!target) return this.answer(x, noSuchAppPage(x.host));
    if (target.app.maintenance) return this.fail(x, 'H80');
    if (target.dynos.length === 0) return this.fail(x, target.crashed > 0 ? 'H10' : 'H14');
    forwardToDyno(x, target.dynos, {
      agent: this.agent, random: this.random,
      connectTimeoutMs: this.o.connectTimeoutMs, responseTimeoutMs: this.o.responseTimeoutMs, idleTimeoutMs: this.o.idleTimeoutMs, quarantine: this.o.quarantine,
      fail: (code) => this.fail(x, code),
      done: (code) => this.record(x, x.status ?? 502, code),
    });
  };

  /** Closes the pooled connections to dynos. */
  close(): void {
    this.agent.destroy();
  }

  private begin(req: IncomingMessage, res: ServerResponse): Exchange {
    const receivedAt = Date.now();
    const requestId = requestIdFor(req.headers['x-request-id'], this.newRequestId);
    const client = clientAddress(req.socket.remoteAddress);
    const headers = req.headers as HeaderMap;
    return {
      req, res, receivedAt, requestId, bytes: 0, clientGone: false, logged: false,
      host: hostWithoutPort(req.headers.host ?? '').toLowerCase(),
      fwd: forwardedFor(headers, client),
      headers: upstreamHeaders(headers, {
        clientAddress: client, routerPort: req.socket.localPort ?? 0, requestId, receivedAt, protocol: 'http',
      }),
    };
  }

  /** Answers with a router error page and logs the error line. */
  private fail(x: Exchange, code: RouterErrorCode): void {
    if (x.clientGone) return;
    this.answer(x, errorPage(code, x.requestId));
    this.record(x, ROUTER_ERRORS[code].status, code);
  }

  private answer(x: Exchange, page: RouterPage): void {
    if (x.res.headersSent) {
      x.res.destroy();
      return;
    }
    x.res.writeHead(page.status, {
      'content-type': page.contentType,
      'content-length': Buffer.byteLength(page.body),
      'cache-control': 'no-cache, no-store',
      'x-request-id': x.requestId,
    });
    x.res.end(page.body);
  }

  /** A client that leaves before its response is complete: stop the dyno's work for it too. */
  private onClientClosed(x: Exchange): void {
    if (x.res.writableFinished) return;
    x.clientGone = true;
    x.upstream?.destroy();
    if (x.res.headersSent) this.record(x, x.status ?? 499);
    else this.record(x, ROUTER_ERRORS.H27.status, 'H27');
  }

  /** Writes the request's one log line (only requests for a known app have a log stream). */
  private record(x: Exchange, status: number, code?: RouterErrorCode): void {
    if (x.logged || x.appId === undefined) return;
    x.logged = true;
    const line = routerLogLine({
      method: x.req.method ?? '', path: x.req.url ?? '', host: x.host, requestId: x.requestId, fwd: x.fwd,
      protocol: 'http', status, code, dyno: x.dyno, connectMs: x.connectMs,
      serviceMs: x.sentAt === undefined ? undefined : Date.now() - x.sentAt,
      bytes: x.dyno === undefined ? undefined : x.bytes,
    });
    this.o.log(x.appId, line);
  }
}

/** How many Host headers a request carries (more than one is ambiguous and rejected, as Heroku does). */
function hostHeaderCount(rawHeaders: string[]): number {
  let n = 0;
  for (let i = 0; i < rawHeaders.length; i += 2) if (rawHeaders[i].toLowerCase() === 'host') n++;
  return n;
}
