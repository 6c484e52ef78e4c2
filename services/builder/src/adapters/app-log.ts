import { Inject, Injectable, Logger } from '@nestjs/common';
import { newLogLine, type Names } from '@paas/contracts';
import { NAMES, NATS_CONNECTION, type NatsConnection } from '@paas/messaging';

/**
 * The build's `app[api]` lines in the app's log (`Build started by user ...`, `Build succeeded`),
 * as Heroku shows them. Best effort: a plain publish; a failure costs a log line, never the build.
 */
@Injectable()
export class BuildAppLog {
  private readonly log = new Logger('build');

  constructor(@Inject(NATS_CONNECTION) private readonly nc: NatsConnection, @Inject(NAMES) private readonly names: Names) {}

  write(appId: string, line: string): void {
    try {
      this.nc.publish(this.names.logSubject(appId), JSON.stringify(newLogLine('app', 'api', line)));
    } catch (err) {
      this.log.warn(`cannot write "${line}" to the app log: ${(err as Error).message}`);
    }
  }
}
