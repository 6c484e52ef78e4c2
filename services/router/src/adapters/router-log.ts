import { Logger } from '@nestjs/common';
import { newLogLine, type Names } from '@paas/contracts';
import type { NatsConnection } from '@paas/messaging';

/**
 * Publishes `heroku[router]` lines into the app's log subject (captured by the logs stream).
 * Best effort: a plain publish is buffered by the client and never awaited, so a slow or absent
 * NATS never holds up a response, and a failure costs one log line, not the request.
 */
export class RouterLog {
  private readonly log = new Logger('router-log');
  private warned = false;

  constructor(private readonly nc: NatsConnection, private readonly names: Names) {}

  /** Sends one line to the app's log stream. */
  publish(appId: string, line: string): void {
    const message = newLogLine('heroku', 'router', line);
    try {
      this.nc.publish(this.names.logSubject(appId), JSON.stringify(message));
      this.warned = false;
    } catch (err) {
      if (this.warned) return;
      this.warned = true;
      this.log.warn(`cannot publish router log lines (${(err as Error).message}); requests are still served, their log lines are dropped until NATS is back`);
    }
  }
}
