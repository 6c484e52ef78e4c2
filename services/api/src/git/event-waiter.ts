import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import { Events, type AnyEvent, type EventType, type Names } from '@paas/contracts';

/**
 * Watches one app's events from the moment it is opened (a core subscription on the JetStream
 * subjects), so an event published right after a command cannot be missed.
 */
export class EventWaiter {
  private readonly buffer: AnyEvent[] = [];
  private notify: (() => void) | undefined;
  private constructor(private readonly sub: Subscription) {
    void this.pump();
  }

  static open(nc: NatsConnection, n: Names, appId: string): EventWaiter {
    return new EventWaiter(nc.subscribe(n.appEventsFilter(appId)));
  }

  private async pump(): Promise<void> {
    for await (const m of this.sub) {
      const raw = m.json<{ type: EventType }>();
      const contract = Events[raw.type];
      const parsed = contract?.schema.safeParse(raw);
      if (!parsed?.success) continue;
      this.buffer.push(parsed.data as AnyEvent);
      this.notify?.();
    }
  }

  /** The first event (seen so far or to come) matching `match`, or undefined after timeoutMs. */
  async next<T extends AnyEvent>(match: (e: AnyEvent) => e is T, timeoutMs: number): Promise<T | undefined>;
  async next(match: (e: AnyEvent) => boolean, timeoutMs: number): Promise<AnyEvent | undefined>;
  async next(match: (e: AnyEvent) => boolean, timeoutMs: number): Promise<AnyEvent | undefined> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.buffer.findIndex(match);
      if (i >= 0) return this.buffer.splice(i, 1)[0];
      const left = deadline - Date.now();
      if (left <= 0) return undefined;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.notify = () => {
          clearTimeout(t);
          resolve();
        };
      });
    }
  }

  close(): void {
    this.sub.unsubscribe();
  }
}
