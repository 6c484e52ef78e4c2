import type { Command } from 'commander';
import type { Context } from '../context.js';
import { usageError } from '../errors.js';
import { appCommand, appLabel, enc } from './common.js';

/** builds:cache:purge: empties an app's build cache, so the next build starts from nothing. */
export function registerBuildCache(program: Command, ctx: Context): void {
  appCommand(program, 'builds:cache:purge', "empty the app's build cache (downloaded packages, the virtualenv, node_modules); the next build starts fresh")
    .option('-c, --confirm <app>', 'the app name again, to confirm')
    .action(async (opts: { app?: string; remote?: string; confirm?: string }) => {
      const app = await ctx.app(opts);
      if (opts.confirm !== app) {
        throw usageError(`this deletes the build cache of ${app}; to proceed run \`paas builds:cache:purge -a ${app} --confirm ${app}\``);
      }
      const r = await ctx.ui.action(`Purging the build cache of ${appLabel(ctx, app)}`,
        () => ctx.api.delete<{ purged: boolean }>(`/apps/${enc(app)}/build-cache`), (b) => (b.purged ? 'done' : 'done, it was empty'));
      ctx.ui.log(r.purged ? `Build cache of ${app} purged: the next build downloads and installs everything again.` : `${app} had no build cache.`);
    });
}
