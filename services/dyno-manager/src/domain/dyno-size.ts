import type { DynoSize } from '@paas/contracts';

/** What a dyno of a size may use, as Heroku sizes them. */
export interface DynoLimits {
  /** The memory quota: above it the app's log gets R14 lines. */
  readonly memoryMb: number;
  /** Most processes and threads the dyno may run at once. */
  readonly pids: number;
}

const LIMITS: Record<DynoSize, DynoLimits> = {
  eco: { memoryMb: 512, pids: 256 },
  basic: { memoryMb: 512, pids: 256 },
  'standard-1x': { memoryMb: 512, pids: 256 },
  'standard-2x': { memoryMb: 1024, pids: 512 },
  'performance-m': { memoryMb: 2560, pids: 16384 },
  'performance-l': { memoryMb: 14336, pids: 32768 },
};

/** Heroku kills a dyno whose memory use passes this many times its quota (R15); the runtime's hard limit. */
export const R15_FACTOR = 2;

/** The limits of a size; `memoryMb` (PAAS_DYNO_MEMORY_MB) replaces every size's quota when given. */
export function limitsOf(size: DynoSize, memoryMb?: number): DynoLimits {
  const l = LIMITS[size];
  return memoryMb ? { ...l, memoryMb } : l;
}

/** Heroku's memory error lines. */
export const r14 = (usedMb: number, quotaMb: number) =>
  `Error R14 (Memory quota exceeded) -> ${usedMb}M of ${quotaMb}M in use`;
export const R15 = 'Error R15 (Memory quota vastly exceeded) -> the dyno was killed';
export const r12 = (graceS: number) =>
  `Error R12 (Exit timeout) -> At least one process failed to exit within ${graceS} seconds of SIGTERM`;
