import type { FormationEntry } from '@paas/contracts';

/**
 * The `app[api]` lines Heroku writes into an app's log for what users did, in its wording.
 * Only names, versions and counts go in: config var values never reach a log line.
 */

/** The lines for a committed event, oldest first; none for events Heroku does not log. */
export function apiLogLines(type: string, data: unknown): string[] {
  if (type === 'ReleaseCreated') {
    const r = data as { version: number; description: string; by: string };
    return [`${r.description} by user ${r.by}`, `Release v${r.version} created by user ${r.by}`];
  }
  if (type === 'ReleaseStatusChanged') {
    const r = data as { version: number; status: string; by: string };
    return r.status === 'failed' ? [`Release v${r.version} command failed by user ${r.by}`] : [];
  }
  if (type === 'FormationScaled') {
    const f = data as { formation: readonly FormationEntry[]; by: string };
    return [`Scaled to ${formationSummary(f.formation)} by user ${f.by}`];
  }
  if (type === 'AddonDeprovisioned') {
    const d = data as { name: string; reason: string | null; by: string };
    return [d.reason === null ? `Destroy ${d.name} by user ${d.by}` : `${d.name} could not be provisioned: ${d.reason}`];
  }
  return [];
}

/** `web@2:standard-1x worker@1:standard-1x`: every process type, as Heroku lists the formation. */
export function formationSummary(formation: readonly FormationEntry[]): string {
  return [...formation].sort((a, b) => a.type.localeCompare(b.type)).map((e) => `${e.type}@${e.quantity}:${e.size}`).join(' ');
}
