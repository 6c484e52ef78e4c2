import type { Command } from 'commander';
import type { Context } from '../context.js';
import { appCommand, appLabel, enc, withJson } from './common.js';

type AppOpts = { app?: string; remote?: string };

interface RepoLink {
  app: { id: string; name: string };
  repo_url: string;
  branch: string;
  auto_deploy: boolean;
  secret_set: boolean;
  webhook_url: string;
}

interface RepoDeploy {
  message: string;
  build: { id: string; commit: string; output_stream_url: string };
}

/** repo:link, repo:info, repo:unlink, repo:deploy: an app connected to a git repository (push webhooks, manual deploys). */
export function registerRepo(program: Command, ctx: Context): void {
  withJson(appCommand(program, 'repo:link', 'connect the app to a git repository over http(s); its push webhooks then deploy the branch'))
    .argument('<url>', 'the clone URL, e.g. https://git.example.com/team/app.git (https://user:token@... for a private one)')
    .option('-b, --branch <branch>', 'the branch that deploys', 'main')
    .option('-s, --secret <secret>', 'the webhook secret, the same one you give the repository host (signs X-Hub-Signature-256)')
    .option('--auto-deploy', 'deploy every push to the branch (default: only `paas repo:deploy`)')
    .action(async (url: string, opts: AppOpts & { branch: string; secret?: string; autoDeploy?: boolean; json?: boolean }) => {
      const app = await ctx.app(opts);
      const link = await ctx.ui.action(`Linking ${appLabel(ctx, app)} to ${opts.branch}`,
        () => ctx.api.post<RepoLink>(`/apps/${enc(app)}/repo-link`, { repo_url: url, branch: opts.branch, auto_deploy: opts.autoDeploy === true, secret: opts.secret ?? null }));
      if (opts.json) return ctx.ui.json(link);
      showLink(ctx, link);
    });

  withJson(appCommand(program, 'repo:info', 'show the repository the app is linked to'))
    .action(async (opts: AppOpts & { json?: boolean }) => {
      const link = await ctx.api.get<RepoLink>(`/apps/${enc(await ctx.app(opts))}/repo-link`);
      if (opts.json) return ctx.ui.json(link);
      showLink(ctx, link);
    });

  appCommand(program, 'repo:unlink', 'disconnect the app from its repository (webhooks are refused from then on)')
    .action(async (opts: AppOpts) => {
      const app = await ctx.app(opts);
      await ctx.ui.action(`Unlinking ${appLabel(ctx, app)}`, () => ctx.api.delete(`/apps/${enc(app)}/repo-link`));
    });

  withJson(appCommand(program, 'repo:deploy', 'build and release the head of a branch of the linked repository, showing the build output'))
    .argument('[branch]', 'the branch (default: the linked one)')
    .action(async (branch: string | undefined, opts: AppOpts & { json?: boolean }) => {
      const app = await ctx.app(opts);
      const d = await ctx.ui.action(`Fetching ${branch ?? 'the linked branch'} for ${appLabel(ctx, app)}`,
        () => ctx.api.post<RepoDeploy>(`/apps/${enc(app)}/repo-link/deploys`, branch ? { branch } : {}), (r) => `done, ${r.build.commit.slice(0, 7)}`);
      if (opts.json) return ctx.ui.json(d);
      const res = await ctx.api.open(d.build.output_stream_url, {});
      res.setEncoding('utf8');
      for await (const chunk of res) ctx.ui.err.write(chunk as string);
      ctx.ui.log(d.message);
    });
}

function showLink(ctx: Context, l: RepoLink): void {
  ctx.ui.log([
    `Repository: ${l.repo_url}`,
    `Branch:     ${l.branch}`,
    `Auto-deploy: ${l.auto_deploy ? 'on' : 'off'}`,
    `Webhook:    ${l.webhook_url} (content type application/json, push events${l.secret_set ? ', signed with your secret' : '; no secret set, so deliveries are refused'})`,
  ].join('\n'));
}
