/**
 * How crashed dynos are restarted, as on Heroku: the first crash restarts at once; later crashes
 * in a row wait through a growing cool-off (Heroku: 20 minutes, then 40, 60, 180, 320 minutes,
 * 320 after that). The base is the first cool-off; the rest are the same multiples of it.
 */
export interface RestartPolicy {
  /** The cool-off before the second restart in a row (Heroku: 20 minutes). */
  readonly backoffBaseMs: number;
  /** Longest cool-off; a run that lasted this long counts as a clean start and resets the count. */
  readonly backoffMaxMs: number;
}

/** Heroku's cool-offs as multiples of the first: 20, 40, 60, 180, 320 minutes. */
export const COOL_OFF_STEPS = [1, 2, 3, 9, 16] as const;

/** Delay before restarting a dyno after its n-th crash in a row (n >= 1). */
export function restartDelay(crashesInARow: number, p: RestartPolicy): number {
  if (crashesInARow <= 1) return 0;
  const step = COOL_OFF_STEPS[Math.min(crashesInARow - 2, COOL_OFF_STEPS.length - 1)];
  return Math.min(p.backoffMaxMs, p.backoffBaseMs * step);
}

/** The crash count after one more crash, given how long the crashed run lasted. */
export function crashesAfter(previous: number, ranForMs: number, p: RestartPolicy): number {
  return ranForMs >= p.backoffMaxMs ? 1 : previous + 1;
}
