import type { Command } from 'commander';
import type { Release } from '../api-types.js';
import { parseConfigAssignments } from '../args.js';
import type { Context } from '../context.js';
import { usageError } from '../errors.js';
import { formatHeader, formatPairs } from '../output/table.js';
import { appCommand, appLabel, enc, sentence, withJson } from './common.js';

type AppOpts = { app?: string; remote?: string };

/** config, config:get, config:set, config:unset. */
export function registerConfig(program: Command, ctx: Context): void {
  withJson(appCommand(program, 'config', 'show the config vars of an app'))
    .option('-s, --shell', 'print as KEY=value lines, for a .env file')
    .action(async (opts: AppOpts & { json?: boolean; shell?: boolean }) => {
      const app = await ctx.app(opts);
      const vars = await ctx.api.get<Record<string, string>>(`/apps/${enc(app)}/config-vars`);
      if (opts.json) return ctx.ui.json(vars);
      const entries = Object.entries(vars).sort(([a], [b]) => a.localeCompare(b));
      if (opts.shell) return entries.forEach(([k, v]) => ctx.ui.log(`${k}=${shellQuote(v)}`));
      ctx.ui.log(formatHeader(`${app} Config Vars`));
      if (entries.length) ctx.ui.log(`\n${formatPairs(entries.map(([k, v]) => [ctx.ui.color.green(k), v]))}`);
    });

  appCommand(program, 'config:get', 'print one config var\'s value (an empty line when unset)')
    .argument('<key>', 'the config var name')
    .action(async (key: string, opts: AppOpts) => {
      const app = await ctx.app(opts);
      const vars = await ctx.api.get<Record<string, string>>(`/apps/${enc(app)}/config-vars`);
      ctx.ui.log(vars[key] ?? '');
    });

  appCommand(program, 'config:set', 'set config vars; makes a new release and restarts the dynos')
    .argument('<assignments...>', 'KEY=value pairs')
    .action(async (assignments: string[], opts: AppOpts) => {
      const changes = parseConfigAssignments(assignments);
      const app = await ctx.app(opts);
      const keys = Object.keys(changes);
      const vars = await ctx.ui.action(`Setting ${sentence(keys)} and restarting ${appLabel(ctx, app)}`,
        () => ctx.api.patch<Record<string, string>>(`/apps/${enc(app)}/config-vars`, changes));
      await announceRelease(ctx, app);
      ctx.ui.log(formatPairs(keys.map((k) => [ctx.ui.color.green(k), vars[k] ?? ''])));
    });

  appCommand(program, 'config:unset', 'remove config vars; makes a new release and restarts the dynos')
    .argument('<keys...>', 'config var names')
    .action(async (keys: string[], opts: AppOpts) => {
      const bad = keys.find((k) => k.includes('='));
      if (bad) throw usageError(`config:unset takes names only (${bad} has a value): \`paas config:unset ${bad.split('=')[0]}\``);
      const app = await ctx.app(opts);
      await ctx.ui.action(`Unsetting ${sentence(keys)} and restarting ${appLabel(ctx, app)}`,
        () => ctx.api.patch(`/apps/${enc(app)}/config-vars`, Object.fromEntries(keys.map((k) => [k, null]))));
      await announceRelease(ctx, app);
    });
}

/** Says which release a change made (the app's current one now). */
async function announceRelease(ctx: Context, app: string): Promise<void> {
  const releases = await ctx.api.list<Release>(`/apps/${enc(app)}/releases`);
  const current = releases.filter((r) => r.current).at(-1) ?? releases.at(-1);
  if (current) ctx.ui.note(`Released v${current.version}`);
}

/** A value as a POSIX shell word: bare when safe, else single-quoted. */
export function shellQuote(v: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]*$/.test(v) && v !== '' ? v : `'${v.replace(/'/g, `'\\''`)}'`;
}
