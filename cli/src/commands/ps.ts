import type { Command } from 'commander';
import type { Dyno, Formation } from '../api-types.js';
import { formationUpdates, parseScaleArgs } from '../args.js';
import type { Context } from '../context.js';
import { formatHeader } from '../output/table.js';
import { ago, formatTime } from '../output/time.js';
import { appCommand, appLabel, enc, sentence, withJson } from './common.js';

type AppOpts = { app?: string; remote?: string };

/** ps, ps:scale, ps:restart, ps:stop. */
export function registerPs(program: Command, ctx: Context): void {
  withJson(appCommand(program, 'ps', 'list the dynos of an app by process type'))
    .action(async (opts: AppOpts & { json?: boolean }) => {
      const app = await ctx.app(opts);
      const [dynos, formation] = await Promise.all([ctx.api.list<Dyno>(`/apps/${enc(app)}/dynos`), ctx.api.list<Formation>(`/apps/${enc(app)}/formation`)]);
      if (opts.json) return ctx.ui.json(dynos);
      if (!dynos.length) return ctx.ui.log(`No dynos on ${appLabel(ctx, app)}`);
      ctx.ui.log(formatDynos(ctx, dynos, formation));
    });

  withJson(appCommand(program, 'ps:scale', 'scale process types: web=2, worker+1, web=1:standard-2x; without changes, show the formation'))
    .alias('scale')
    .argument('[changes...]', 'TYPE=N, TYPE+N, TYPE-N, TYPE=N:SIZE')
    .action(async (args: string[], opts: AppOpts & { json?: boolean }) => {
      const changes = parseScaleArgs(args);
      const app = await ctx.app(opts);
      const current = await ctx.api.list<Formation>(`/apps/${enc(app)}/formation`);
      if (!changes.length && opts.json) return ctx.ui.json(current);
      if (!changes.length) return ctx.ui.log(formatFormation(current) || `${app} has no process types yet: deploy it with \`git push paas main\``);
      const updates = formationUpdates(changes, current);
      const after = await ctx.ui.action('Scaling dynos', () => ctx.api.patch<Formation[]>(`/apps/${enc(app)}/formation`, { updates }),
        (f) => `done, now running ${sentence(f.filter((x) => updates.some((u) => u.type === x.type)).map((x) => `${x.type} at ${x.quantity}:${x.size}`))}`);
      if (opts.json) return ctx.ui.json(after);
      ctx.ui.log(formatFormation(after));
    });

  appCommand(program, 'ps:restart', 'restart all dynos, one process type (web) or one dyno (web.1)')
    .alias('restart')
    .argument('[dyno]', 'a process type or dyno name')
    .action(async (target: string | undefined, opts: AppOpts) => {
      const app = await ctx.app(opts);
      const what = target === undefined ? 'all dynos' : target.includes('.') ? `dyno ${target}` : `${target} dynos`;
      await ctx.ui.action(`Restarting ${what} on ${appLabel(ctx, app)}`,
        () => ctx.api.delete(`/apps/${enc(app)}/dynos${target === undefined ? '' : `/${enc(target)}`}`));
    });

  appCommand(program, 'ps:stop', 'stop one dyno (web.1) or every dyno of a process type (web); the formation brings them back unless scaled down')
    .alias('stop')
    .argument('<dyno>', 'a dyno name or process type')
    .action(async (target: string, opts: AppOpts) => {
      const app = await ctx.app(opts);
      await ctx.ui.action(`Stopping ${target.includes('.') ? `dyno ${target}` : `${target} dynos`} on ${appLabel(ctx, app)}`,
        () => ctx.api.post(`/apps/${enc(app)}/dynos/${enc(target)}/actions/stop`));
    });
}

/** `web=2:basic worker=1:basic`, as Heroku's ps:scale shows the formation. */
function formatFormation(formation: readonly Formation[]): string {
  return formation.map((f) => `${f.type}=${f.quantity}:${f.size}`).join(' ');
}

/** Heroku's ps: a `=== type (Size): command (N)` header per process type, then `name: state since (~ ago)`. */
function formatDynos(ctx: Context, dynos: readonly Dyno[], formation: readonly Formation[]): string {
  const types = [...new Set(dynos.map((d) => d.type))].sort((a, b) => (a === 'web' ? -1 : b === 'web' ? 1 : a.localeCompare(b)));
  return types.map((type) => {
    const mine = dynos.filter((d) => d.type === type).sort((a, b) => a.name.localeCompare(b.name, undefined, { numeric: true }));
    const size = mine[0].size;
    const command = type === 'run' ? '' : `: ${formation.find((f) => f.type === type)?.command ?? mine[0].command}`;
    const header = formatHeader(`${ctx.ui.color.green(type)} (${ctx.ui.color.cyan(size)})${command} (${ctx.ui.color.yellow(String(mine.length))})`);
    const lines = mine.map((d) => `${d.name}: ${stateColour(ctx, d.state)} ${formatTime(d.updated_at)} ${ago(d.updated_at)}${type === 'run' ? `: ${d.command}` : ''}`);
    return `${header}\n${lines.join('\n')}`;
  }).join('\n\n');
}

function stateColour(ctx: Context, state: string): string {
  const c = ctx.ui.color;
  return state === 'up' ? c.green(state) : state === 'crashed' ? c.red(state) : c.yellow(state);
}
