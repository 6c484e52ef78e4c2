import type { AppFiles, Detection } from './detect.js';

/**
 * Add-on plans a build asks the platform for, as Heroku's buildpack release step and app.json do:
 * app.json's `addons` entries ("heroku-redis", {"plan": "heroku-postgresql:essential-0"}) first,
 * then a database for a Django app (manage.py). The release service provisions them on the app's
 * first deploy; a malformed app.json is reported by its own check, so it asks for nothing here.
 */
export function requestedAddons(files: AppFiles, detection: Detection): string[] {
  const wanted = appJsonAddons(files.appJson);
  if (detection.buildpack === 'python' && detection.django && !wanted.some((p) => p.split(':')[0] === 'heroku-postgresql')) wanted.push('heroku-postgresql');
  return wanted;
}

function appJsonAddons(text: string | undefined): string[] {
  if (text === undefined) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return [];
  }
  const addons = (parsed as { addons?: unknown } | null)?.addons;
  if (!Array.isArray(addons)) return [];
  const plans = addons.map((a: unknown) => (typeof a === 'string' ? a : (a as { plan?: unknown } | null)?.plan));
  return plans.filter((p): p is string => typeof p === 'string' && p.trim() !== '' && p.length <= 200).slice(0, 50).map((p) => p.trim());
}
