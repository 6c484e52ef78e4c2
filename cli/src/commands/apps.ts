import type { Command } from 'commander';
import type { Account, App, Domain, Formation } from '../api-types.js';
import { DEFAULT_REMOTE, appFromGitUrl } from '../app-resolution.js';
import type { Context } from '../context.js';
import { usageError } from '../errors.js';
import { gitRemotes, inGitRepo, removeRemote, setRemote } from '../git.js';
import { formatHeader, formatPairs } from '../output/table.js';
import { formatTime } from '../output/time.js';
import { appCommand, appLabel, enc, withJson } from './common.js';

/** apps, apps:create, apps:info, apps:destroy, git:remote. */
export function registerApps(program: Command, ctx: Context): void {
  withJson(program.command('apps').alias('apps:list').description('list your apps'))
    .action(async (opts: { json?: boolean }) => {
      const [apps, account] = await Promise.all([ctx.api.list<App>('/apps'), ctx.api.get<Account>('/account')]);
      if (opts.json) return ctx.ui.json(apps);
      ctx.ui.log(formatHeader(`${account.email} Apps`));
      ctx.ui.log(apps.length ? `\n${apps.map((a) => a.name).join('\n')}` : '\nYou have no apps.');
    });

  withJson(program.command('apps:create').alias('create').description('create an app; in a git repository, adds a `paas` remote for it')
    .argument('[name]', 'the app name (lowercase letters, digits, dashes); generated when left out')
    .option('-r, --remote <remote>', 'name of the git remote to add', DEFAULT_REMOTE)
    .option('--no-remote', 'do not add a git remote'))
    .action(async (name: string | undefined, opts: { remote: string | false; json?: boolean }) => {
      const app = await ctx.ui.action(`Creating ${name ? appLabel(ctx, name) : 'app'}`, () => ctx.api.post<App>('/apps', name ? { name } : {}),
        (a) => name ? 'done' : `done, ${appLabel(ctx, a.name)}`);
      if (opts.remote !== false && (await inGitRepo(ctx.cwd))) {
        await setRemote(opts.remote, app.git_url, ctx.credentialHelper(), ctx.cwd);
        ctx.ui.note(`Git remote ${opts.remote} added`);
      }
      if (opts.json) return ctx.ui.json(app);
      ctx.ui.log(`${ctx.ui.color.cyan(app.web_url)} | ${ctx.ui.color.green(app.git_url)}`);
    });

  withJson(appCommand(program, 'apps:info', 'show an app: its URLs, owner, dynos and more').alias('info'))
    .action(async (opts: { app?: string; remote?: string; json?: boolean }) => {
      const name = await ctx.app(opts);
      const [app, formation, domains] = await Promise.all([
        ctx.api.get<App>(`/apps/${enc(name)}`), ctx.api.list<Formation>(`/apps/${enc(name)}/formation`), ctx.api.get<Domain[]>(`/apps/${enc(name)}/domains`),
      ]);
      if (opts.json) return ctx.ui.json({ app, formation, domains });
      ctx.ui.log(formatHeader(app.name));
      const custom = domains.filter((d) => d.kind === 'custom').map((d) => d.hostname);
      ctx.ui.log(formatPairs([
        ['Domains', custom.join(', ')],
        ['Dynos', formation.filter((f) => f.quantity > 0).map((f) => `${f.type}: ${f.quantity}`).join(', ')],
        ['Git URL', app.git_url],
        ['Maintenance', app.maintenance ? 'on' : 'off'],
        ['Owner', app.owner.email],
        ['Region', app.region.name],
        ['Released', app.released_at ? formatTime(app.released_at) : ''],
        ['Slug Size', app.slug_size === null ? '' : `${(app.slug_size / 1024).toFixed(0)} KB`],
        ['Stack', app.stack.name],
        ['Web URL', app.web_url],
      ]));
    });

  appCommand(program, 'apps:destroy', 'destroy an app for good: its releases, config vars and dynos')
    .argument('[name]', 'the app (same as -a)')
    .option('-c, --confirm <app>', 'the app name again, to confirm')
    .action(async (positional: string | undefined, opts: { app?: string; remote?: string; confirm?: string }) => {
      const name = await ctx.app({ ...opts, app: positional ?? opts.app });
      if (opts.confirm !== name) {
        throw usageError(`this destroys ${name} and everything in it; to proceed run \`paas apps:destroy -a ${name} --confirm ${name}\``);
      }
      await ctx.ui.action(`Destroying ${appLabel(ctx, name)} (including all add-ons)`, () => ctx.api.delete(`/apps/${enc(name)}`));
      // Remotes of this repository that pointed at the app point at nothing now.
      for (const [remote, url] of (await gitRemotes(ctx.cwd)) ?? []) {
        if (appFromGitUrl(url) === name) await removeRemote(remote, ctx.cwd);
      }
    });

  appCommand(program, 'git:remote', 'add (or repoint) a git remote of the current repository for an app')
    .action(async (opts: { app?: string; remote?: string }) => {
      if (opts.app === undefined) throw usageError('git:remote needs the app: pass -a APP, e.g. `paas git:remote -a myapp`');
      if (!(await inGitRepo(ctx.cwd))) throw usageError('not inside a git repository: run `git init` (or cd into one) first');
      const app = await ctx.api.get<App>(`/apps/${enc(opts.app)}`);
      const remote = opts.remote ?? DEFAULT_REMOTE;
      await setRemote(remote, app.git_url, ctx.credentialHelper(), ctx.cwd);
      ctx.ui.log(`set git remote ${remote} to ${app.git_url}`);
    });
}
