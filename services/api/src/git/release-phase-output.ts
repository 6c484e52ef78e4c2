import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import { parseLogLines, type Names } from '@paas/contracts';

/**
 * The output of an app's release phase (its `app[release.N]` log lines), collected from the moment
 * it is opened so a push can show it after "Running release command...".
 */
export class ReleasePhaseOutput {
  private readonly lines = new Map<string, string[]>();
  private constructor(private readonly sub: Subscription) {
    void this.pump();
  }

  static open(nc: NatsConnection, n: Names, appId: string): ReleasePhaseOutput {
    return new ReleasePhaseOutput(nc.subscribe(n.logSubject(appId)));
  }

  private async pump(): Promise<void> {
    for await (const m of this.sub) {
      for (const l of parseLogLines(m.string())) {
        if (l.source !== 'app' || !l.dyno.startsWith('release.')) continue;
        const seen = this.lines.get(l.dyno) ?? [];
        seen.push(l.line);
        this.lines.set(l.dyno, seen);
      }
    }
  }

  /** What the release dyno printed (seen so far). */
  of(dyno: string): readonly string[] {
    return this.lines.get(dyno) ?? [];
  }

  close(): void {
    this.sub.unsubscribe();
  }
}
