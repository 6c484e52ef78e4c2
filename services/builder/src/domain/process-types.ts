import { parseProcfile } from '@paas/procfile';
import { BuildError } from './build-error.js';

/** The process types a slug runs, and where they came from (for the output line). */
export interface ResolvedProcessTypes {
  readonly processTypes: Readonly<Record<string, string>>;
  readonly source: 'Procfile' | 'buildpack' | 'heroku.yml';
}

/**
 * The slug's process types: a Procfile wins outright; without one the buildpack's defaults apply.
 * A malformed Procfile fails the build with the line that is wrong.
 */
export function resolveProcessTypes(procfile: string | undefined, defaults: Readonly<Record<string, string>>): ResolvedProcessTypes {
  if (procfile === undefined) return { processTypes: { ...defaults }, source: 'buildpack' };
  const parsed = parseProcfile(procfile);
  if (!parsed.ok) throw new BuildError(parsed.error, ['Fix the Procfile, commit and push again.']);
  return { processTypes: parsed.processTypes, source: 'Procfile' };
}

/** The lines under "-----> Discovering process types", Heroku's wording. */
export function describeProcessTypes(resolved: ResolvedProcessTypes): string[] {
  const types = Object.keys(resolved.processTypes);
  const list = types.length ? types.join(', ') : '(none)';
  const lines = [resolved.source === 'buildpack' ? `Default types for buildpack -> ${list}` : `${resolved.source} declares types -> ${list}`];
  if (!('web' in resolved.processTypes)) lines.push('No web process type: this app will not receive HTTP traffic');
  return lines;
}
