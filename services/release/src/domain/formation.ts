import type { DynoSize, FormationEntry, Slug } from '@paas/contracts';
import type { Scale } from './app-state.js';

export const DEFAULT_SIZE: DynoSize = 'standard-1x';

/** One formation entry per process type of the slug, with the scale set for it or 0 standard-1x. */
export function formationOf(slug: Slug | null, scale: Readonly<Record<string, Scale>>): FormationEntry[] {
  return Object.keys(slug?.processTypes ?? {}).sort().map((type) => ({
    type,
    quantity: scale[type]?.quantity ?? 0,
    size: scale[type]?.size ?? DEFAULT_SIZE,
  }));
}

