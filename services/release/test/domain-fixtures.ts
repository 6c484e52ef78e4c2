import type { Slug } from '@paas/contracts';
import { decide, type AppCommand } from '../src/domain/decide.js';
import { evolve, initialState, type AppEvent, type AppState } from '../src/domain/app-state.js';

export const APP_ID = '00000000-0000-4000-8000-000000000001';
export const OWNER = 'admin@paas.local';

/** Deterministic release ids: r1, r2, ... as uuids. */
export function ids() {
  let n = 0;
  return { newId: () => `00000000-0000-4000-9000-${String(++n).padStart(12, '0')}` };
}

/** A slug of a build, with the given process types. */
export function slug(processTypes: Record<string, string>, commit: string | null = 'abc1234def5678', id = 'c0000000-0000-4000-8000-000000000001'): Slug {
  return {
    id, processTypes, commit, buildpack: 'nodejs', stack: 'heroku-24',
    blob: { key: `slugs/${id}.tgz`, checksum: `sha256:${'a'.repeat(64)}`, size: 1234 },
  };
}

export const BUILD_1 = 'b0000000-0000-4000-8000-000000000001';
export const BUILD_2 = 'b0000000-0000-4000-8000-000000000002';

/** The state after the commands, each decided on the state the previous ones left. */
export function given(...commands: AppCommand[]): AppState {
  const ctx = ids();
  let state = initialState(APP_ID);
  for (const c of commands) state = decide(c, state, ctx).reduce(evolve, state);
  return state;
}

/** The events a command causes on a state. */
export function when(state: AppState, command: AppCommand): AppEvent[] {
  return decide(command, state, { newId: () => 'ffffffff-0000-4000-8000-000000000000' });
}

export const create = (name = 'myapp'): AppCommand => ({ type: 'CreateApp', name, by: OWNER });
export const setConfig = (changes: Record<string, string | null>): AppCommand => ({ type: 'SetConfigVars', changes, by: OWNER });
export const deploy = (s: Slug, buildId = BUILD_1): AppCommand => ({ type: 'RecordSlug', buildId, slug: s });
export const scale = (...updates: { type: string; quantity?: number; size?: 'standard-2x' | 'eco' }[]): AppCommand => ({ type: 'ScaleFormation', updates, by: OWNER });
export const rollback = (version: number): AppCommand => ({ type: 'Rollback', version, by: OWNER });
export const destroy = (): AppCommand => ({ type: 'DestroyApp', by: OWNER });
export const addDomain = (hostname: string): AppCommand => ({ type: 'AddDomain', hostname, by: OWNER });
export const removeDomain = (hostname: string): AppCommand => ({ type: 'RemoveDomain', hostname, by: OWNER });

/** The data of the only event of a type in a list, failing when there is not exactly one. */
export function only<T extends AppEvent['type']>(events: AppEvent[], type: T): Extract<AppEvent, { type: T }>['data'] {
  const found = events.filter((e) => e.type === type);
  if (found.length !== 1) throw new Error(`expected one ${type}, got ${found.length}: ${events.map((e) => e.type).join(', ')}`);
  return found[0]!.data as never;
}
