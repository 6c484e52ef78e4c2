import type { AppJson } from '@paas/procfile';

/** The config vars an app setup starts with, or the required ones nobody gave a value. */
export type SetupEnv = { ok: true; config: Record<string, string>; generated: string[] } | { ok: false; missing: string[] };

/**
 * Resolves app.json's env against the caller's overrides, as Heroku's app setups do: an override
 * wins; then `generator: "secret"` makes a fresh secret, then `value` is the default; an entry
 * without either is required unless it says `"required": false` (an empty value counts as none).
 * Overrides of names app.json does not declare are set as given.
 */
export function resolveSetupEnv(env: AppJson['env'], overrides: Readonly<Record<string, string>>, secret: () => string): SetupEnv {
  const config: Record<string, string> = {};
  const missing: string[] = [];
  const generated: string[] = [];
  for (const [name, entry] of Object.entries(env ?? {})) {
    const given = overrides[name];
    if (given !== undefined && given !== '') {
      config[name] = given;
      continue;
    }
    if (typeof entry === 'string') {
      config[name] = entry;
      continue;
    }
    if (entry.generator === 'secret') {
      config[name] = secret();
      generated.push(name);
    } else if (entry.value !== undefined && entry.value !== '') {
      config[name] = entry.value;
    } else if (entry.required !== false) {
      missing.push(name);
    }
  }
  for (const [name, value] of Object.entries(overrides)) if (!(name in config) && !(name in (env ?? {}))) config[name] = value;
  return missing.length > 0 ? { ok: false, missing } : { ok: true, config, generated };
}

/** One form field of the deploy page. */
export interface TemplateField {
  name: string;
  description: string | null;
  required: boolean;
  /** Made by the platform when left empty (`generator: "secret"`). */
  generated: boolean;
  value: string | null;
}

/** What the deploy page shows of a template: its name, description, links, add-ons and one field per env entry. */
export function presentTemplate(a: AppJson) {
  const fields: TemplateField[] = Object.entries(a.env ?? {}).map(([name, e]) => typeof e === 'string'
    ? { name, description: null, required: false, generated: false, value: e }
    : { name, description: e.description ?? null, required: e.generator !== 'secret' && (e.value === undefined || e.value === '') && e.required !== false, generated: e.generator === 'secret', value: e.value ?? null });
  return {
    name: a.name ?? null,
    description: a.description ?? null,
    logo: httpUrlOrNull(a.logo, true),
    website: httpUrlOrNull(a.website, false),
    repository: httpUrlOrNull(a.repository, false),
    addons: (a.addons ?? []).map((x) => (typeof x === 'string' ? x : x.plan)),
    env: fields,
    postdeploy: a.scripts?.postdeploy ?? null,
  };
}

/** A link the page may show: http(s) only (never javascript: or data:), https only for images it loads. */
function httpUrlOrNull(raw: string | undefined, httpsOnly: boolean): string | null {
  if (!raw) return null;
  try {
    const u = new URL(raw);
    return u.protocol === 'https:' || (!httpsOnly && u.protocol === 'http:') ? u.toString() : null;
  } catch {
    return null;
  }
}
