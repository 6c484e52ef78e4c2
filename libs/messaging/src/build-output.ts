import { DeliverPolicy, jetstream, type JetStreamClient } from '@nats-io/jetstream';
import { headers, type NatsConnection } from '@nats-io/transport-node';
import type { Names } from '@paas/contracts';

export type BuildOutcome = 'succeeded' | 'failed';
export type BuildOutputItem = { line: string } | { end: BuildOutcome };

const END = 'Paas-Build-End';

/**
 * Build output as an ordered stream per build: the builder appends lines and one end marker;
 * readers (the pusher's git session, the Build API) read from the first line, however late they come.
 */
export class BuildOutput {
  private readonly js: JetStreamClient;
  constructor(nc: NatsConnection, private readonly n: Names) {
    this.js = jetstream(nc);
  }

  /** A writer whose lines keep their order; await end() before announcing the build's outcome. */
  writer(buildId: string): { line: (text: string) => Promise<void>; end: (outcome: BuildOutcome) => Promise<void> } {
    const subject = this.n.buildOutputSubject(buildId);
    let chain: Promise<unknown> = Promise.resolve();
    const send = (data: string, end?: BuildOutcome): Promise<void> => {
      const h = headers();
      if (end) h.set(END, end);
      chain = chain.then(() => this.js.publish(subject, data, { headers: h }));
      return chain.then(() => undefined);
    };
    return {
      line: (text) => send(text),
      end: (outcome) => send('', outcome),
    };
  }

  /** Yields every line of a build from its first, then the end marker; stops after `idleMs` of silence. */
  async *read(buildId: string, idleMs = 15 * 60_000): AsyncGenerator<BuildOutputItem> {
    const consumer = await this.js.consumers.get(this.n.buildOutputStream, {
      filter_subjects: this.n.buildOutputSubject(buildId),
      deliver_policy: DeliverPolicy.All,
    });
    const messages = await consumer.consume({ idle_heartbeat: 5_000 });
    let timer = setTimeout(() => void messages.stop(), idleMs);
    try {
      for await (const m of messages) {
        clearTimeout(timer);
        timer = setTimeout(() => void messages.stop(), idleMs);
        const end = m.headers?.get(END);
        if (end) {
          yield { end: end as BuildOutcome };
          return;
        }
        yield { line: m.string() };
      }
    } finally {
      clearTimeout(timer);
      await messages.close().catch(() => undefined);
    }
  }
}
