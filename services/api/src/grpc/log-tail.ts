import { Metadata, type ServerWritableStream } from '@grpc/grpc-js';
import { parseLogLines, type LogLine, type Names } from '@paas/contracts';
import type { NatsConnection } from '@paas/messaging';

export type { LogLine };

type Subscription = ReturnType<NatsConnection['subscribe']>;

/**
 * Live log tails: a core-NATS subscription on the app's log subject per call, so a tail sees
 * lines from the moment it starts (history would come from the logs stream; not offered yet).
 */
export class LogTail {
  private readonly open = new Set<Subscription>();

  constructor(private readonly nc: NatsConnection, private readonly names: Names) {}

  /** Writes each log line of the app to the call until the client cancels or the api stops. */
  async stream(appId: string, call: ServerWritableStream<unknown, LogLine>): Promise<void> {
    const sub = this.nc.subscribe(this.names.logSubject(appId));
    this.open.add(sub);
    const stop = () => sub.unsubscribe();
    call.on('cancelled', stop);
    try {
      // Once NATS has the interest, tell the client the tail is live (initial metadata).
      await this.nc.flush();
      call.sendMetadata(new Metadata());
      for await (const m of sub) {
        for (const line of parseLogLines(m.string())) {
          if (call.cancelled) break;
          call.write(line);
        }
      }
    } finally {
      this.open.delete(sub);
      call.off('cancelled', stop);
    }
  }

  /** Ends every open tail (the calls finish with OK). */
  closeAll(): void {
    for (const sub of this.open) sub.unsubscribe();
  }
}
