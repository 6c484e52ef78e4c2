import type { Command } from 'commander';
import type { Dyno } from '../api-types.js';
import type { Context } from '../context.js';
import { CliError, usageError } from '../errors.js';
import { ExitStatusFilter, withExitStatus } from '../exit-status.js';
import { attach } from '../rendezvous.js';
import { appCommand, appLabel, enc } from './common.js';

type RunOpts = { app?: string; remote?: string; detached?: boolean; size?: string; env?: string; exitCode?: boolean };

/** run: a one-off dyno, attached (stdin and output through the rendezvous) or detached (output in the logs). */
export function registerRun(program: Command, ctx: Context): void {
  appCommand(program, 'run', 'run a command in a one-off dyno; attached unless --detached')
    .argument('<command...>', 'the command line (quote it, or put -- before it)')
    .option('-d, --detached', 'run in the background; its output goes to `paas logs`')
    .option('-s, --size <size>', 'dyno size, e.g. standard-1x')
    .option('-e, --env <pairs>', 'extra environment, "KEY=value;KEY2=value2"')
    .option('-x, --exit-code', 'exit with the command\'s exit status')
    .action(async (words: string[], opts: RunOpts) => {
      const app = await ctx.app(opts);
      const command = words.join(' ');
      const body = {
        command: opts.exitCode && !opts.detached ? withExitStatus(command) : command,
        attach: !opts.detached,
        ...(opts.size ? { size: opts.size } : {}),
        ...(opts.env ? { env: parseEnv(opts.env) } : {}),
      };
      const dyno = await ctx.ui.action(`Running ${ctx.ui.color.cyan(`\`${command}\``)} on ${appLabel(ctx, app)}`,
        () => ctx.api.post<Dyno>(`/apps/${enc(app)}/dynos`, body), (d) => `${d.state}, ${d.name}`);
      if (opts.detached) {
        ctx.ui.log(`Run \`paas logs -a ${app} --dyno ${dyno.name}\` to see the output.`);
        return;
      }
      if (!dyno.attach_url) throw new CliError(`the platform started ${dyno.name} without an attach_url: see its output with \`paas logs -a ${app} --dyno ${dyno.name}\``);
      const status = await attach(dyno.attach_url, ctx.api.ca, { stdin: process.stdin, stdout: ctx.ui.out }, opts.exitCode ? new ExitStatusFilter() : undefined);
      if (opts.exitCode) {
        if (status === undefined) throw new CliError(`${dyno.name} ended without reporting its exit status`);
        process.exitCode = status;
      }
    });
}

/** `KEY=value;KEY2=value2` as an object. */
export function parseEnv(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const pair of text.split(';').filter((p) => p.trim())) {
    const at = pair.indexOf('=');
    if (at <= 0) throw usageError(`--env takes KEY=value pairs separated by ;, got ${pair}`);
    env[pair.slice(0, at).trim()] = pair.slice(at + 1);
  }
  return env;
}
