import type { Command } from 'commander';
import type { Build, LogSession } from '../api-types.js';
import { parseLineCount } from '../args.js';
import type { Context } from '../context.js';
import { CliError, usageError } from '../errors.js';
import { colourLogLine, followLogs } from '../log-stream.js';
import { formatTable } from '../output/table.js';
import { ago, formatTime } from '../output/time.js';
import { appCommand, enc, withJson } from './common.js';

type AppOpts = { app?: string; remote?: string };

/** logs, builds, builds:output. */
export function registerLogs(program: Command, ctx: Context): void {
  appCommand(program, 'logs', 'show the app\'s recent log lines; --tail keeps streaming new ones')
    .option('-n, --num <lines>', 'how many lines of history (1-1500)', '100')
    .option('-t, --tail', 'keep streaming new lines until Ctrl-C')
    .option('-d, --dyno <dyno>', 'only a process type (web) or one dyno (web.1), or router / api')
    .option('-s, --source <source>', 'only lines from app or heroku')
    .action(async (opts: AppOpts & { num: string; tail?: boolean; dyno?: string; source?: string }) => {
      const lines = parseLineCount(opts.num);
      if (opts.source !== undefined && opts.source !== 'app' && opts.source !== 'heroku') {
        throw usageError(`--source is app or heroku, got ${opts.source}`);
      }
      const app = await ctx.app(opts);
      const body = { lines, tail: Boolean(opts.tail), ...(opts.source ? { source: opts.source } : {}), ...(opts.dyno ? { dyno: opts.dyno } : {}) };
      const session = await ctx.api.post<LogSession>(`/apps/${enc(app)}/log-sessions`, body);
      const spinner = ctx.ui.spinner('Connecting to the log stream...');
      try {
        await followLogs(ctx.api, session.logplex_url, {
          tail: Boolean(opts.tail),
          onOpen: () => spinner.stop(),
          onLine: (line) => ctx.ui.log(colourLogLine(line, ctx.ui.color)),
        });
      } finally {
        spinner.stop();
      }
    });

  withJson(appCommand(program, 'builds', 'list the builds of an app, newest first'))
    .option('-n, --num <n>', 'how many to show', '15')
    .action(async (opts: AppOpts & { json?: boolean; num: string }) => {
      const app = await ctx.app(opts);
      const builds = (await ctx.api.list<Build>(`/apps/${enc(app)}/builds`)).sort((a, b) => b.created_at.localeCompare(a.created_at)).slice(0, Number(opts.num) || 15);
      if (opts.json) return ctx.ui.json(builds);
      if (!builds.length) return ctx.ui.log(`${app} has no builds yet: deploy it with \`git push paas main\``);
      ctx.ui.log(formatTable(builds, [
        { header: 'Id', get: (b) => b.id },
        { header: 'Status', get: (b) => b.status === 'succeeded' ? ctx.ui.color.green(b.status) : b.status === 'failed' ? ctx.ui.color.red(b.status) : ctx.ui.color.yellow(b.status) },
        { header: 'Version', get: (b) => b.source_blob.version?.slice(0, 7) ?? '' },
        { header: 'User', get: (b) => b.user.email },
        { header: 'Created', get: (b) => `${formatTime(b.created_at)} ${ago(b.created_at)}` },
      ]));
    });

  appCommand(program, 'builds:output', 'show the output of a build (the latest when none is named)')
    .argument('[id]', 'the build id')
    .action(async (id: string | undefined, opts: AppOpts) => {
      const app = await ctx.app(opts);
      const build = id ? await ctx.api.get<Build>(`/apps/${enc(app)}/builds/${enc(id)}`) : await latestBuild(ctx, app);
      if (build.status === 'failed' && build.failure_reason) ctx.ui.note(`Build ${build.id} failed: ${build.failure_reason}`);
      if (!build.output_stream_url) {
        throw new CliError(`the platform keeps no output stream for build ${build.id}: \`git push\` shows it as it runs; \`paas logs --dyno api\` has its start and end`);
      }
      const res = await ctx.api.open(build.output_stream_url, {});
      res.setEncoding('utf8');
      for await (const chunk of res) ctx.ui.out.write(chunk as string);
    });
}

async function latestBuild(ctx: Context, app: string): Promise<Build> {
  const builds = await ctx.api.list<Build>(`/apps/${enc(app)}/builds`);
  const latest = builds.sort((a, b) => b.created_at.localeCompare(a.created_at))[0];
  if (!latest) throw new CliError(`${app} has no builds yet: deploy it with \`git push paas main\``);
  return latest;
}
