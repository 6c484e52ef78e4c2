import { LogShuttle, type NatsConnection } from '@paas/messaging';
import { newLogLine, type LogLine, type Names } from '@paas/contracts';

/**
 * Publishes log lines on the app's log subject, which the logs stream keeps (bounded, like
 * Logplex's 1500 lines). Best effort: a line that cannot be sent is dropped, never retried.
 */
export class AppLogs {
  /** Bounded per dyno: a dyno writing faster than NATS takes loses lines (with an L12 line), never waits. */
  private readonly shuttle: LogShuttle;

  constructor(private readonly nc: NatsConnection, private readonly n: Names) {
    this.shuttle = new LogShuttle(nc, n);
  }

  app(appId: string, dyno: string, line: string): void {
    this.send(appId, newLogLine('app', dyno, line));
  }

  heroku(appId: string, dyno: string, line: string): void {
    this.send(appId, newLogLine('heroku', dyno, line));
  }

  private send(appId: string, l: LogLine): void {
    this.shuttle.send(appId, l);
  }
}
