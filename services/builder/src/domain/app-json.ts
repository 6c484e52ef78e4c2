import { z } from 'zod';
import { dynoSize } from '@paas/contracts';
import { BuildError } from './build-error.js';

const envEntry = z.union([
  z.string(),
  z.strictObject({
    description: z.string().optional(),
    value: z.string().optional(),
    required: z.boolean().optional(),
    generator: z.literal('secret', { message: 'the only generator is "secret"' }).optional(),
  }),
]);

const appJsonSchema = z.object({
  name: z.string().max(300).optional(),
  description: z.string().optional(),
  keywords: z.array(z.string()).optional(),
  env: z.record(z.string().regex(/^[^=\0]+$/, 'config var names cannot contain "="'), envEntry).optional(),
  formation: z.record(z.string().regex(/^[A-Za-z0-9_-]+$/, 'process types use letters, digits, "_" and "-"'), z.strictObject({
    quantity: z.number().int().min(0).max(100),
    // Heroku takes "Standard-1X" as well as "standard-1x".
    size: z.string().transform((v) => v.toLowerCase()).pipe(dynoSize).optional(),
  })).optional(),
  scripts: z.object({ postdeploy: z.string().optional(), 'pr-predestroy': z.string().optional() }).optional(),
});

export type AppJson = z.infer<typeof appJsonSchema>;

/** Validates app.json; a wrong one fails the build naming the field. */
export function parseAppJson(text: string): AppJson {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new BuildError(`app.json is not valid JSON (${(err as Error).message})`, ['Fix app.json, commit and push again.']);
  }
  const parsed = appJsonSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue.path.join('.') || '(top level)';
    throw new BuildError(`app.json: ${where}: ${issue.message}`, ['Fix app.json, commit and push again.']);
  }
  return parsed.data;
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
