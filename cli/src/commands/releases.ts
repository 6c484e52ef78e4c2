import type { Command } from 'commander';
import type { Release } from '../api-types.js';
import { parseReleaseVersion } from '../args.js';
import type { Context } from '../context.js';
import { CliError, usageError } from '../errors.js';
import { formatHeader, formatPairs, formatTable } from '../output/table.js';
import { ago, formatTime } from '../output/time.js';
import { appCommand, appLabel, enc, withJson } from './common.js';

type AppOpts = { app?: string; remote?: string };

/** releases, releases:info, releases:rollback. */
export function registerReleases(program: Command, ctx: Context): void {
  withJson(appCommand(program, 'releases', 'list the releases of an app, newest first'))
    .option('-n, --num <n>', 'how many to show', '15')
    .action(async (opts: AppOpts & { json?: boolean; num: string }) => {
      const n = Number(opts.num);
      if (!Number.isInteger(n) || n < 1) throw usageError(`-n takes a positive whole number, got ${opts.num}`);
      const app = await ctx.app(opts);
      const releases = (await ctx.api.list<Release>(`/apps/${enc(app)}/releases`)).sort((a, b) => b.version - a.version).slice(0, n);
      if (opts.json) return ctx.ui.json(releases);
      const current = releases.find((r) => r.current);
      ctx.ui.log(formatHeader(`${app} Releases${current ? ` - Current: v${current.version}` : ''}`));
      if (!releases.length) return ctx.ui.log(`\n${app} has no releases.`);
      ctx.ui.log(`\n${formatTable(releases, [
        { header: 'Version', get: (r) => ctx.ui.color.green(`v${r.version}`) },
        { header: 'Description', get: (r) => r.description },
        { header: 'User', get: (r) => ctx.ui.color.yellow(r.user.email) },
        { header: 'Created', get: (r) => `${formatTime(r.created_at)} ${ago(r.created_at)}` },
      ])}`);
    });

  withJson(appCommand(program, 'releases:info', 'show one release (the current one when none is named) with its config vars'))
    .argument('[release]', 'the release, e.g. v3')
    .action(async (which: string | undefined, opts: AppOpts & { json?: boolean }) => {
      const app = await ctx.app(opts);
      const version = which === undefined ? await currentVersion(ctx, app) : parseReleaseVersion(which);
      const [release, config] = await Promise.all([
        ctx.api.get<Release>(`/apps/${enc(app)}/releases/${version}`),
        ctx.api.get<Record<string, string>>(`/apps/${enc(app)}/releases/${version}/config-vars`),
      ]);
      if (opts.json) return ctx.ui.json({ ...release, config_vars: config });
      ctx.ui.log(formatHeader(`Release v${release.version}`));
      ctx.ui.log(formatPairs([
        ['Add-ons', ''], ['By', release.user.email], ['Change', release.description],
        ['Current', release.current ? 'yes' : 'no'], ['When', `${formatTime(release.created_at)} ${ago(release.created_at)}`],
      ]));
      const entries = Object.entries(config).sort(([a], [b]) => a.localeCompare(b));
      ctx.ui.log(`\n${formatHeader('v' + release.version + ' Config vars')}`);
      if (entries.length) ctx.ui.log(`\n${formatPairs(entries.map(([k, v]) => [ctx.ui.color.green(k), v]))}`);
    });

  appCommand(program, 'releases:rollback', 'make a new release from an earlier one (the one before the current by default)')
    .alias('rollback')
    .argument('[release]', 'the release to go back to, e.g. v2')
    .action(async (which: string | undefined, opts: AppOpts) => {
      const app = await ctx.app(opts);
      const target = which === undefined ? (await currentVersion(ctx, app)) - 1 : parseReleaseVersion(which);
      if (target < 1) throw new CliError(`${app} has no release before the current one to roll back to`);
      const made = await ctx.ui.action(`Rolling back ${appLabel(ctx, app)} to v${target}`,
        () => ctx.api.post<Release>(`/apps/${enc(app)}/releases`, { release: String(target) }), (r) => `done, v${r.version}`);
      ctx.ui.log(`${made.description}: v${made.version}`);
    });
}

async function currentVersion(ctx: Context, app: string): Promise<number> {
  const releases = await ctx.api.list<Release>(`/apps/${enc(app)}/releases`);
  const current = releases.find((r) => r.current) ?? releases.sort((a, b) => b.version - a.version)[0];
  if (!current) throw new CliError(`${app} has no releases yet: deploy it with \`git push paas main\``);
  return current.version;
}
