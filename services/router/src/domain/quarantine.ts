import type { DynoRoute } from '@paas/contracts';

/**
 * The dynos this router has seen refuse or time out a connection, kept aside for `ms` (Heroku's
 * routers quarantine such a dyno for up to 5 s). Each router keeps its own: routers do not coordinate.
 */
export class Quarantine {
  private readonly until = new Map<string, number>();

  constructor(private readonly ms: number, private readonly now: () => number = Date.now) {}

  /** Puts a dyno that refused or timed out a connection aside. */
  add(dynoId: string): void {
    const now = this.now();
    // Dynos that went away for good must not pile up: drop every expired entry on the way.
    for (const [id, t] of this.until) if (t <= now) this.until.delete(id);
    this.until.set(dynoId, now + this.ms);
  }

  /** Whether a dyno is currently set aside. */
  has(dynoId: string): boolean {
    return (this.until.get(dynoId) ?? 0) > this.now();
  }

  /** The dynos worth trying: those not set aside, or all of them when every one is (better a try than an error). */
  prefer(dynos: readonly DynoRoute[]): DynoRoute[] {
    const healthy = dynos.filter((d) => !this.has(d.dynoId));
    return healthy.length > 0 ? healthy : [...dynos];
  }
}
