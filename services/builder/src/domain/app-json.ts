import { parseAppJson as readAppJson, type AppJson } from '@paas/procfile';
import { BuildError } from './build-error.js';

export type { AppJson } from '@paas/procfile';

/** Validates app.json (the shared reader in @paas/procfile); a wrong one fails the build naming the field. */
export function parseAppJson(text: string): AppJson {
  const r = readAppJson(text);
  if (!r.ok) throw new BuildError(r.error, ['Fix app.json, commit and push again.']);
  return r.appJson;
}

/** The lines shown about app.json under its header. */
export function describeAppJson(a: AppJson, processTypes: Readonly<Record<string, string>>): string[] {
  const lines = [`app.json${a.name ? ` (${a.name})` : ''} is valid`];
  for (const [type, f] of Object.entries(a.formation ?? {})) {
    if (!(type in processTypes)) lines.push(`Warning: app.json formation names "${type}", which no process type declares`);
    else lines.push(`Formation default: ${type}=${f.quantity}${f.size ? `:${f.size}` : ''}`);
  }
  return lines;
}
