import { BuildError } from './build-error.js';

/** Heroku's build output shapes: a step header, an indented detail, a warning/error line. */
export const header = (text: string): string => `-----> ${text}`;
export const detail = (text: string): string => `       ${text}`;
export const problem = (text: string): string => ` !     ${text}`;

export const STACK = 'heroku-24';
/** The first line of every build. */
export const STACK_TITLE = 'Building on the Heroku-24 stack';

const UNITS = ['K', 'M', 'G', 'T'];

/** A size as Heroku prints it after compressing: "512B", "1.2K", "34.5M". */
export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes}B`;
  let n = bytes / 1024;
  let unit = 0;
  while (n >= 1024 && unit < UNITS.length - 1) {
    n /= 1024;
    unit++;
  }
  return `${n.toFixed(1)}${UNITS[unit]}`;
}

const MB = 1024 * 1024;

/**
 * Heroku's slug limits: a failed build over the maximum (PAAS_MAX_SLUG_MB, 500 by default), a
 * warning over 60% of it (300 MB of 500). Returns the warning, if any.
 */
export function checkSlugSize(bytes: number, maxMb = 500): string | undefined {
  if (bytes > maxMb * MB) {
    throw new BuildError(`Compiled slug size: ${formatSize(bytes)} is too large (max is ${maxMb}M, PAAS_MAX_SLUG_MB).`, [
      'Remove files the app does not need at run time (build caches, tests, asset sources; list them in .slugignore) and push again.',
    ]);
  }
  const soft = Math.floor(maxMb * 0.6);
  if (bytes > soft * MB) return `Warning: Your slug size (${formatSize(bytes)}) exceeds our soft limit (${soft}M) which may affect boot time.`;
  return undefined;
}
