import { attachSubjects, type AttachExit, type Names } from '@paas/contracts';
import type { NatsConnection } from '@paas/messaging';
import { splitStdin } from '../domain/stdin.js';

/** One attached dyno's side of the relay: its output and exit out, its stdin in. */
export interface AttachLink {
  output(chunk: Uint8Array): void;
  exit(exit: AttachExit): void;
}

/**
 * Relays attached one-off dynos over NATS core subjects (attachSubjects): the api holds the
 * client's connection and publishes stdin; output and the exit status come back in order, as
 * they are published from this one connection.
 */
export class AttachRelay {
  constructor(private readonly nc: NatsConnection, private readonly n: Names) {}

  /**
   * Starts reading the dyno's stdin subject; resolves once the server knows the subscription.
   * `raw`: pass every byte on (a terminal reads ^D itself) instead of ending stdin at \x04.
   */
  async open(dynoId: string, stdin: { write(data: Buffer): void; end(): void }, o: { raw?: boolean } = {}): Promise<AttachLink> {
    const s = attachSubjects(this.n.namespace, dynoId);
    let sub: ReturnType<NatsConnection['subscribe']> | undefined = this.nc.subscribe(s.in, {
      callback: (err, msg) => {
        if (err) return;
        const { data, end } = o.raw ? { data: msg.data, end: false } : splitStdin(msg.data);
        if (data.length) stdin.write(Buffer.from(data));
        if (end) stdin.end();
      },
    });
    await this.nc.flush();
    const publish = (subject: string, data: Uint8Array | string) => {
      if (!this.nc.isClosed()) this.nc.publish(subject, data);
    };
    return {
      output: (chunk) => publish(s.out, chunk),
      exit: (exit) => {
        sub?.unsubscribe();
        sub = undefined;
        publish(s.exit, JSON.stringify(exit));
      },
    };
  }
}
