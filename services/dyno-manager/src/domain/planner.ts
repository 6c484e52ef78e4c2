import type { DynoSize } from '@paas/contracts';
import type { DesiredApp } from './desired-state.js';
import { dynoName, type ActualDyno, type LiveState } from './dyno.js';

/** One step that brings an app's actual dynos closer to its desired ones. */
export type Action =
  | { readonly kind: 'start'; readonly name: string; readonly type: string; readonly releaseVersion: number; readonly command: string; readonly size: DynoSize }
  | { readonly kind: 'restart'; readonly dynoId: string }
  | { readonly kind: 'stop'; readonly dynoId: string; readonly reason: string };

export interface Plan {
  readonly actions: readonly Action[];
  /** When a crashed dyno becomes due for a restart: plan again then. */
  readonly wakeAt: number | null;
}

interface Slot {
  readonly name: string;
  readonly type: string;
  readonly command: string;
  readonly size: DynoSize;
}

/** The dyno names an app should run: t.1..t.N for each type of its formation that its release defines. */
export function wantedSlots(app: DesiredApp | undefined): Map<string, Slot> {
  const slots = new Map<string, Slot>();
  const slug = app && !app.destroyed ? app.release?.slug : null;
  if (!app || !slug) return slots;
  for (const f of app.formation) {
    const command = slug.processTypes[f.type];
    if (command === undefined) continue;
    for (let i = 1; i <= f.quantity; i++) slots.set(dynoName(f.type, i), { name: dynoName(f.type, i), type: f.type, command, size: f.size });
  }
  return slots;
}

const PREFERENCE: Record<LiveState, number> = { up: 0, starting: 1, crashed: 2 };

/**
 * Plans one app: every wanted name gets a dyno on the current release; an old instance of a
 * name is stopped only once the new one is up (zero-downtime handover); dynos of names that
 * are no longer wanted are stopped; crashed dynos are restarted when their back-off is over.
 */
export function planApp(app: DesiredApp | undefined, actual: readonly ActualDyno[], now: number): Plan {
  const slots = wantedSlots(app);
  const version = app?.release?.version ?? 0;
  const actions: Action[] = [];
  let wakeAt: number | null = null;

  for (const slot of slots.values()) {
    const mine = actual.filter((d) => d.name === slot.name);
    const current = mine.filter((d) => d.releaseVersion === version).sort((a, b) => PREFERENCE[a.state] - PREFERENCE[b.state]);
    const [keep, ...duplicates] = current;
    if (!keep) actions.push({ kind: 'start', name: slot.name, type: slot.type, releaseVersion: version, command: slot.command, size: slot.size });
    else if (keep.state === 'crashed') {
      const due = keep.restartAt ?? now;
      if (due <= now) actions.push({ kind: 'restart', dynoId: keep.id });
      else wakeAt = Math.min(wakeAt ?? due, due);
    }
    for (const d of duplicates) actions.push({ kind: 'stop', dynoId: d.id, reason: `another ${slot.name} of v${version} runs` });
    for (const old of mine.filter((d) => d.releaseVersion !== version)) {
      // The old instance keeps serving until its replacement is up; a crashed one serves nobody.
      if (keep?.state === 'up') actions.push({ kind: 'stop', dynoId: old.id, reason: `replaced by v${version}` });
      else if (old.state === 'crashed') actions.push({ kind: 'stop', dynoId: old.id, reason: `crashed, replaced by v${version}` });
    }
  }
  for (const d of actual) {
    if (!slots.has(d.name)) actions.push({ kind: 'stop', dynoId: d.id, reason: unwantedReason(app, d) });
  }
  return { actions, wakeAt };
}

function unwantedReason(app: DesiredApp | undefined, d: ActualDyno): string {
  if (!app) return 'the app is unknown to the release service';
  if (app.destroyed) return 'app destroyed';
  const slug = app.release?.slug;
  if (!slug) return `release v${app.release?.version ?? '?'} has no slug`;
  if (slug.processTypes[d.type] === undefined) return `process type ${d.type} is not in release v${app.release!.version}`;
  return 'scaled down';
}
