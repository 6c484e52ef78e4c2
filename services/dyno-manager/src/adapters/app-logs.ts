import type { NatsConnection } from '@paas/messaging';
import type { Names } from '@paas/contracts';

/** One line of an app's log stream: what its dynos print (`app`) and what the platform says about them (`heroku`). */
export interface LogLine {
  readonly ts: string;
  readonly source: 'app' | 'heroku';
  readonly dyno: string;
  readonly line: string;
}

/**
 * Publishes log lines on the app's log subject, which the logs stream keeps (bounded, like
 * Logplex's 1500 lines). Best effort: a line that cannot be sent is dropped, never retried.
 */
export class AppLogs {
  constructor(private readonly nc: NatsConnection, private readonly n: Names) {}

  app(appId: string, dyno: string, line: string): void {
    this.send(appId, { ts: new Date().toISOString(), source: 'app', dyno, line });
  }

  heroku(appId: string, dyno: string, line: string): void {
    this.send(appId, { ts: new Date().toISOString(), source: 'heroku', dyno, line });
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
