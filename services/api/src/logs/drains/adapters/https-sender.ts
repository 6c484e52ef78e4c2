import { Agent, request } from 'node:https';
import type { DrainTarget, LogLine } from '@paas/contracts';
import { pinnedLookup } from '../../../net/pinned-lookup.js';
import { frames } from '../domain/syslog-frame.js';
import { RefusedBatch, type DrainSender } from './drain-sender.js';

/**
 * HTTPS drains as Logplex feeds them: each batch is a POST of octet-counted syslog frames with
 * Content-Type application/logplex-1 and the Logplex-Msg-Count, Logplex-Frame-Id and
 * Logplex-Drain-Token headers; credentials in the URL go as basic auth. 2xx is delivered, 4xx
 * refused for good, anything else is tried again.
 */
export class HttpsSender implements DrainSender {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 1 });

  /** `pin` answers the address the drain may be reached at (checked by the address guard for each batch). */
  constructor(private readonly target: DrainTarget, private readonly token: string, private readonly timeoutMs: number, private readonly pin: () => Promise<string>) {}

  async send(lines: readonly LogLine[], frameId: string): Promise<void> {
    const lookup = pinnedLookup(await this.pin());
    const body = Buffer.from(frames(lines, this.token), 'utf8');
    const { url } = this.target;
    const auth = url.username || url.password ? `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}` : undefined;
    return new Promise<void>((resolve, reject) => {
      const req = request({
        host: this.target.host, port: this.target.port, lookup, path: `${url.pathname || '/'}${url.search}`, method: 'POST', auth, agent: this.agent,
        servername: url.hostname.startsWith('[') || /^\d+\.\d+\.\d+\.\d+$/.test(url.hostname) ? undefined : url.hostname,
        timeout: this.timeoutMs,
        headers: {
          'Content-Type': 'application/logplex-1', 'Content-Length': body.length, 'User-Agent': 'Logplex/paas',
          'Logplex-Msg-Count': lines.length, 'Logplex-Frame-Id': frameId, 'Logplex-Drain-Token': this.token,
        },
      }, (res) => {
        res.resume();
        const status = res.statusCode ?? 0;
        if (status >= 200 && status < 300) resolve();
        else if (status >= 400 && status < 500) reject(new RefusedBatch(`the drain refused the batch with HTTP ${status}`));
        else reject(new Error(`the drain answered HTTP ${status}`));
      });
      req.on('timeout', () => req.destroy(new Error(`no answer within ${this.timeoutMs} ms`)));
      req.on('error', reject);
      req.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
