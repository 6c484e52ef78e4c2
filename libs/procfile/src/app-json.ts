import { z } from 'zod';
import { dynoSize } from '@paas/contracts';

const envEntry = z.union([
  z.string(),
  z.strictObject({
    description: z.string().optional(),
    value: z.string().optional(),
    required: z.boolean().optional(),
    generator: z.literal('secret', { message: 'the only generator is "secret"' }).optional(),
  }),
]);

const addonEntry = z.union([
  z.string().min(1).max(200),
  z.object({ plan: z.string().min(1).max(200), as: z.string().max(100).optional(), options: z.record(z.string(), z.unknown()).optional() }),
]);

const appJsonSchema = z.object({
  name: z.string().max(300).optional(),
  description: z.string().max(5000).optional(),
  keywords: z.array(z.string()).optional(),
  logo: z.string().max(2000).optional(),
  website: z.string().max(2000).optional(),
  repository: z.string().max(2000).optional(),
  success_url: z.string().max(2000).optional(),
  env: z.record(z.string().regex(/^[^=\0]+$/, 'config var names cannot contain "="'), envEntry).optional(),
  addons: z.array(addonEntry).max(50).optional(),
  formation: z.record(z.string().regex(/^[A-Za-z0-9_-]+$/, 'process types use letters, digits, "_" and "-"'), z.strictObject({
    quantity: z.number().int().min(0).max(100),
    // Heroku takes "Standard-1X" as well as "standard-1x".
    size: z.string().transform((v) => v.toLowerCase()).pipe(dynoSize).optional(),
  })).optional(),
  scripts: z.object({ postdeploy: z.string().optional(), 'pr-predestroy': z.string().optional() }).optional(),
});

/** An app.json manifest (Heroku's schema: the parts the platform acts on, other keys kept loose). */
export type AppJson = z.infer<typeof appJsonSchema>;
/** One env entry of app.json: a plain value, or its description, default, required flag and generator. */
export type AppJsonEnvEntry = z.infer<typeof envEntry>;

/** app.json parsed, or the first thing wrong with it (`app.json: <field>: <why>`). */
export type AppJsonResult = { ok: true; appJson: AppJson } | { ok: false; error: string };

/** Parses and validates app.json: the one reader the builder and app setups share. */
export function parseAppJson(text: string): AppJsonResult {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    return { ok: false, error: `app.json is not valid JSON (${(err as Error).message})` };
  }
  const parsed = appJsonSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.join('.') || '(top level)';
    return { ok: false, error: `app.json: ${where}: ${issue.message}` };
  }
  return { ok: true, appJson: parsed.data };
}

/** The add-on plans app.json asks for ("heroku-redis", {"plan": "heroku-postgresql:essential-0"}), trimmed. */
export function addonPlansOf(a: AppJson): string[] {
  return (a.addons ?? []).map((x) => (typeof x === 'string' ? x : x.plan).trim()).filter((p) => p !== '');
}
