import type { DesiredApp, DesiredRelease } from './desired-state.js';

/** Where a release's release phase stands: running, or over with its outcome. */
export interface PhaseGate {
  readonly version: number;
  readonly state: 'running' | 'succeeded' | 'failed';
}

/** The Procfile `release:` command of a release, if it has one. */
export function releaseCommand(release: DesiredRelease | null | undefined): string | undefined {
  return release?.slug?.processTypes.release;
}

export interface Gated {
  /** What to plan the app with; null: plan nothing now (keep what runs). */
  readonly app: DesiredApp | undefined | null;
  /** The release phase of the app's release is to be started now. */
  readonly startPhase: boolean;
}

/**
 * Holds a release back until its release phase succeeded, as on Heroku: until then (and for good
 * when it failed) the app is planned on the release its dynos run (`live`); with no live release
 * known (a manager that just started) nothing is planned, so what runs keeps running.
 */
export function gateRelease(app: DesiredApp | undefined, gate: PhaseGate | undefined, live: DesiredRelease | undefined): Gated {
  const release = app?.release;
  // A release whose phase the release service recorded as succeeded (a manager that restarted) runs as it is.
  if (!app || app.destroyed || !release || !releaseCommand(release) || release.releasePhaseSucceeded) return { app, startPhase: false };
  const mine = gate?.version === release.version ? gate : undefined;
  if (mine?.state === 'succeeded') return { app, startPhase: false };
  const held = live && live.version < release.version ? { ...app, release: live } : null;
  return { app: held, startPhase: !mine };
}
