import { ACCEPTED_DRAIN_URLS, drainUrlProblem, invalid, notFound } from '@paas/contracts';
import type { AppEvent, AppState } from './app-state.js';

/** A drain as the app aggregate remembers it. */
export interface DrainRecord {
  readonly id: string;
  readonly url: string;
  readonly token: string;
}

/** Adds a log drain; the url is checked here and never repeated in an error (it may hold secrets). */
export function addLogDrain(url: string, by: string, state: AppState, newId: () => string): AppEvent[] {
  const trimmed = url.trim();
  const problem = drainUrlProblem(trimmed);
  if (problem) throw invalid(`Url is invalid: ${problem}. ${ACCEPTED_DRAIN_URLS[0]!.toUpperCase()}${ACCEPTED_DRAIN_URLS.slice(1)}.`);
  if (state.logDrains.some((d) => d.url === trimmed)) throw invalid('Url has already been taken: this app already drains to it.');
  return [{ type: 'LogDrainAdded', data: { appName: state.name, drainId: newId(), url: trimmed, token: `d.${newId()}`, by } }];
}

/** Removes a log drain named by its id, url or token, as Heroku's API takes it. */
export function removeLogDrain(ref: string, by: string, state: AppState): AppEvent[] {
  const drain = findDrain(state.logDrains, ref);
  if (!drain) throw notFound("Couldn't find that log drain.");
  return [{ type: 'LogDrainRemoved', data: { appName: state.name, drainId: drain.id, by } }];
}

/** The drain a reference means: its id, token or url. */
export function findDrain(drains: readonly DrainRecord[], ref: string): DrainRecord | undefined {
  const r = ref.trim();
  return drains.find((d) => d.id === r.toLowerCase() || d.token === r.toLowerCase() || d.url === r);
}
