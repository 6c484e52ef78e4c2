import { addonPlansOf, parseAppJson } from '@paas/procfile';
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
  const parsed = parseAppJson(text);
  return parsed.ok ? addonPlansOf(parsed.appJson) : [];
}
