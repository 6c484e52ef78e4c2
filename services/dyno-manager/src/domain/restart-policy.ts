/** How crashed dynos are restarted: the first crash at once, then after a doubling back-off. */
export interface RestartPolicy {
  /** Delay before the second restart in a row; each further one doubles it. */
  readonly backoffBaseMs: number;
  /** Longest delay; a run that lasted this long counts as a clean start and resets the count. */
  readonly backoffMaxMs: number;
}

/** Delay before restarting a dyno after its n-th crash in a row (n >= 1). */
export function restartDelay(crashesInARow: number, p: RestartPolicy): number {
  if (crashesInARow <= 1) return 0;
  return Math.min(p.backoffMaxMs, p.backoffBaseMs * 2 ** (crashesInARow - 2));
}

/** The crash count after one more crash, given how long the crashed run lasted. */
export function crashesAfter(previous: number, ranForMs: number, p: RestartPolicy): number {
  return ranForMs >= p.backoffMaxMs ? 1 : previous + 1;
}
