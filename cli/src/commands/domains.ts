import type { Command } from 'commander';
import type { App, Domain } from '../api-types.js';
import type { Context } from '../context.js';
import { formatHeader, formatTable } from '../output/table.js';
import { appCommand, appLabel, enc, withJson } from './common.js';

type AppOpts = { app?: string; remote?: string };

/** domains, domains:add, domains:remove, maintenance, maintenance:on, maintenance:off. */
export function registerDomains(program: Command, ctx: Context): void {
  withJson(appCommand(program, 'domains', 'list the app\'s default and custom domains'))
    .action(async (opts: AppOpts & { json?: boolean }) => {
      const app = await ctx.app(opts);
      const domains = await ctx.api.get<Domain[]>(`/apps/${enc(app)}/domains`);
      if (opts.json) return ctx.ui.json(domains);
      const builtIn = domains.filter((d) => d.kind !== 'custom');
      const custom = domains.filter((d) => d.kind === 'custom');
      ctx.ui.log(`${formatHeader(`${app} Heroku Domain`)}\n\n${builtIn.map((d) => d.hostname).join('\n')}`);
      if (!custom.length) return;
      ctx.ui.log(`\n${formatHeader(`${app} Custom Domains`)}\n\n${formatTable(custom, [
        { header: 'Domain Name', get: (d) => d.hostname },
        { header: 'DNS Record Type', get: () => 'CNAME' },
        { header: 'DNS Target', get: (d) => d.cname },
      ])}`);
    });

  withJson(appCommand(program, 'domains:add', 'add a custom domain; point its DNS (CNAME) at the target shown'))
    .argument('<hostname>', 'e.g. www.example.com')
    .action(async (hostname: string, opts: AppOpts & { json?: boolean }) => {
      const app = await ctx.app(opts);
      const d = await ctx.ui.action(`Adding ${hostname} to ${appLabel(ctx, app)}`, () => ctx.api.post<Domain>(`/apps/${enc(app)}/domains`, { hostname }));
      if (opts.json) return ctx.ui.json(d);
      ctx.ui.log(`Configure your app's DNS provider to point to the DNS Target ${d.cname}`);
    });

  appCommand(program, 'domains:remove', 'remove a custom domain')
    .argument('<hostname>', 'the custom domain')
    .action(async (hostname: string, opts: AppOpts) => {
      const app = await ctx.app(opts);
      await ctx.ui.action(`Removing ${hostname} from ${appLabel(ctx, app)}`, () => ctx.api.delete(`/apps/${enc(app)}/domains/${enc(hostname)}`));
    });

  appCommand(program, 'maintenance', 'whether maintenance mode is on')
    .action(async (opts: AppOpts) => {
      const app = await ctx.app(opts);
      ctx.ui.log((await ctx.api.get<App>(`/apps/${enc(app)}`)).maintenance ? 'on' : 'off');
    });
  for (const on of [true, false]) {
    appCommand(program, `maintenance:${on ? 'on' : 'off'}`, on ? 'answer every request with a maintenance page (H80), dynos keep running' : 'serve requests again')
      .action(async (opts: AppOpts) => {
        const app = await ctx.app(opts);
        await ctx.ui.action(`${on ? 'Enabling' : 'Disabling'} maintenance mode for ${appLabel(ctx, app)}`,
          () => ctx.api.patch<App>(`/apps/${enc(app)}`, { maintenance: on }));
      });
  }
}
