import { Inject, Injectable, Logger } from '@nestjs/common';
import { newLogLine, type Envelope, type Names } from '@paas/contracts';
import { NAMES, NATS_CONNECTION, type NatsConnection } from '@paas/messaging';
import { apiLogLines } from '../domain/api-log-lines.js';

/**
 * Writes the `app[api]` lines of committed events into the app's log (the logs stream keeps them).
 * Best effort: a plain publish, never awaited; a failure costs log lines, never the command.
 */
@Injectable()
export class ApiLog {
  private readonly log = new Logger('release:api-log');

  constructor(@Inject(NATS_CONNECTION) private readonly nc: NatsConnection, @Inject(NAMES) private readonly names: Names) {}

  /** Logs what an event that just went out to NATS means for the app's users. */
  published(envelope: Envelope): void {
    const lines = apiLogLines(envelope.type, envelope.data);
    if (lines.length === 0) return;
    try {
      for (const line of lines) this.nc.publish(this.names.logSubject(envelope.appId), JSON.stringify(newLogLine('app', 'api', line)));
    } catch (err) {
      this.log.warn(`cannot write the app[api] log lines of ${envelope.type} ${envelope.id} (${(err as Error).message}); the event itself is published`);
    }
  }
}
