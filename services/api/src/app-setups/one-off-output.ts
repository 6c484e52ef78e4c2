import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import { parseLogLines, type Names } from '@paas/contracts';

/**
 * What an app's one-off dynos (run.N) print, collected from the app's log subject from the moment
 * it is opened (a dyno's first lines may come before RunDyno answers with its name). A dyno's lines
 * and the platform's `Process exited` line about it travel in order, so once that line is seen the
 * output is whole.
 */
export class OneOffOutput {
  private readonly lines = new Map<string, string[]>();
  private readonly ended = new Set<string>();
  private notify: (() => void) | undefined;

  private constructor(private readonly sub: Subscription, private readonly maxLines: number) {
    void this.pump();
  }

  static open(nc: NatsConnection, n: Names, appId: string, maxLines = 2000): OneOffOutput {
    return new OneOffOutput(nc.subscribe(n.logSubject(appId)), maxLines);
  }

  private async pump(): Promise<void> {
    for await (const m of this.sub) {
      for (const l of parseLogLines(m.string())) {
        if (!l.dyno.startsWith('run.')) continue;
        if (l.source === 'app') {
          const seen = this.lines.get(l.dyno) ?? [];
          seen.push(l.line);
          if (seen.length > this.maxLines) seen.shift();
          this.lines.set(l.dyno, seen);
        } else if (l.source === 'heroku' && /^(Process exited|Failed to start)/.test(l.line)) {
          this.ended.add(l.dyno);
          this.notify?.();
        }
      }
    }
  }

  /** The dyno's output once its end was told, or what was seen by the deadline. */
  async of(dyno: string, timeoutMs: number): Promise<string[]> {
    const deadline = Date.now() + timeoutMs;
    while (!this.ended.has(dyno) && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.max(0, deadline - Date.now()));
        this.notify = () => {
          clearTimeout(t);
          resolve();
        };
      });
    }
    return this.lines.get(dyno) ?? [];
  }

  close(): void {
    this.sub.unsubscribe();
  }
}
