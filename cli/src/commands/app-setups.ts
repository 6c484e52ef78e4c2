import type { Command } from 'commander';
import type { Context } from '../context.js';
import { CliError, usageError } from '../errors.js';
import { appLabel, enc, withJson } from './common.js';

/** Heroku's app-setup object, the fields the CLI reads. */
interface AppSetup {
  id: string;
  status: 'pending' | 'succeeded' | 'failed';
  failure_message: string | null;
  app: { id: string; name: string };
  build: { id: string; status: string; output_stream_url: string } | null;
  postdeploy: { output: string; exit_code: number } | null;
  resolved_success_url: string | null;
}

const POLL_MS = 1000;
/** A setup still pending after this long is left running; `paas apps:info` tells how it went. */
const MAX_WAIT_MS = 60 * 60_000;

/** apps:setup: an app from a tarball with an app.json (what the Deploy button does). */
export function registerAppSetups(program: Command, ctx: Context): void {
  withJson(program.command('apps:setup').description('create an app from a .tar.gz with an app.json: add-ons, config vars, build, postdeploy')
    .argument('<tarball-url>', 'http(s) URL of a .tar.gz of the source, app.json at its root')
    .option('-n, --name <app>', 'the app name; generated when left out')
    .option('-e, --env <KEY=value>', 'a config var for app.json\'s env (repeat for more)', (pair: string, all: Record<string, string>) => {
      const at = pair.indexOf('=');
      if (at <= 0) throw usageError(`--env takes KEY=value, got ${pair}`);
      return { ...all, [pair.slice(0, at)]: pair.slice(at + 1) };
    }, {} as Record<string, string>))
    .action(async (url: string, opts: { name?: string; env: Record<string, string>; json?: boolean }) => {
      let setup = await ctx.ui.action(`Setting up ${opts.name ? appLabel(ctx, opts.name) : 'an app'} from ${url}`,
        () => ctx.api.post<AppSetup>('/app-setups', { source_blob: { url }, overrides: { env: opts.env }, ...(opts.name ? { app: { name: opts.name } } : {}) }),
        (s) => `done, ${appLabel(ctx, s.app.name)}`);
      const deadline = Date.now() + MAX_WAIT_MS;
      let streamed = false;
      while (setup.status === 'pending' || (setup.build && !streamed)) {
        if (setup.build && !streamed && !opts.json) {
          streamed = true;
          const res = await ctx.api.open(setup.build.output_stream_url, {});
          res.setEncoding('utf8');
          for await (const chunk of res) ctx.ui.err.write(chunk as string);
        }
        if (setup.status !== 'pending') break;
        if (Date.now() > deadline) throw new CliError(`the setup of ${setup.app.name} is still running after an hour; GET /app-setups/${setup.id} tells how it ends`);
        await new Promise((r) => setTimeout(r, POLL_MS));
        setup = await ctx.api.get<AppSetup>(`/app-setups/${enc(setup.id)}`);
      }
      if (opts.json) return ctx.ui.json(setup);
      if (setup.postdeploy) {
        ctx.ui.note(`Postdeploy (exit status ${setup.postdeploy.exit_code}):`);
        if (setup.postdeploy.output) ctx.ui.err.write(`${setup.postdeploy.output}\n`);
      }
      if (setup.status === 'failed') throw new CliError(`the setup failed: ${setup.failure_message ?? 'no reason given'}`);
      ctx.ui.log(`${appLabel(ctx, setup.app.name)} is set up: ${setup.resolved_success_url ?? ''}`.trim());
    });
}
