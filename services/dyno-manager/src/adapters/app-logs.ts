import type { NatsConnection } from '@paas/messaging';
import { newLogLine, type LogLine, type Names } from '@paas/contracts';

/**
 * Publishes log lines on the app's log subject, which the logs stream keeps (bounded, like
 * Logplex's 1500 lines). Best effort: a line that cannot be sent is dropped, never retried.
 */
export class AppLogs {
  constructor(private readonly nc: NatsConnection, private readonly n: Names) {}

  app(appId: string, dyno: string, line: string): void {
    this.send(appId, newLogLine('app', dyno, line));
  }

  heroku(appId: string, dyno: string, line: string): void {
    this.send(appId, newLogLine('heroku', dyno, line));
  }

  private send(appId: string, l: LogLine): void {
    if (this.nc.isClosed()) return;
    try {
      this.nc.publish(this.n.logSubject(appId), JSON.stringify(l));
    } catch {
      // Logs are best effort; the dyno keeps running whatever happens here.
    }
  }
}
