import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { tokenFor } from '../credentials.js';
import type { Context } from '../context.js';
import { docker, imageId } from '../docker.js';
import { CliError, usageError } from '../errors.js';
import { appCommand, appLabel, enc, sentence } from './common.js';

/** The platform's registry: image references start with this host:port. */
async function registryHost(ctx: Context): Promise<string> {
  return (await ctx.api.get<{ host: string }>('/registry')).host;
}

/** The Dockerfile of a process type: Dockerfile.<type> when there is one, else Dockerfile (Heroku's rule). */
function dockerfileFor(dir: string, type: string): string | undefined {
  return [resolve(dir, `Dockerfile.${type}`), resolve(dir, 'Dockerfile')].find((f) => existsSync(f));
}

function types(list: string[]): string[] {
  if (list.length === 0) throw usageError('name the process types, e.g. `paas container:push web`');
  for (const t of list) if (!/^[a-z0-9_-]{1,63}$/.test(t)) throw usageError(`"${t}" is not a process type (lowercase letters, digits, - and _)`);
  return [...new Set(list)];
}

/** container:login, container:logout, container:push and container:release: deploying Docker images (Heroku's commands). */
export function registerContainer(program: Command, ctx: Context): void {
  const io = () => ({ out: ctx.ui.out, err: ctx.ui.err, env: ctx.env });

  program.command('container:login').description("log the docker CLI in to the platform's container registry (with your API token)")
    .action(async () => {
      const host = await registryHost(ctx);
      await docker(['login', '--username=_', '--password-stdin', host], { ...io(), input: tokenFor(ctx.settings) });
    });

  program.command('container:logout').description("log the docker CLI out of the platform's container registry")
    .action(async () => {
      await docker(['logout', await registryHost(ctx)], io());
    });

  appCommand(program, 'container:push', 'build images from Dockerfile.<type> (or Dockerfile) and push them to the registry: <registry>/<app>/<type>')
    .argument('<process-types...>', 'the process types to build, e.g. web worker')
    .option('--context-path <path>', 'the build context (default: the current directory)')
    .option('--arg <args>', 'build arguments, KEY=VALUE separated by commas')
    .action(async (list: string[], opts: { app?: string; remote?: string; contextPath?: string; arg?: string }) => {
      const wanted = types(list);
      const app = await ctx.app(opts);
      const host = await registryHost(ctx);
      const context = resolve(ctx.cwd, opts.contextPath ?? '.');
      const jobs = wanted.map((type) => ({ type, dockerfile: dockerfileFor(ctx.cwd, type), tag: `${host}/${app}/${type}` }));
      const missing = jobs.filter((j) => !j.dockerfile).map((j) => j.type);
      if (missing.length) throw new CliError(`No Dockerfile for ${sentence(missing)}: add Dockerfile.${missing[0]} or a Dockerfile in ${ctx.cwd}`);
      const buildArgs = (opts.arg ?? '').split(',').filter((a) => a.trim() !== '').flatMap((a) => ['--build-arg', a.trim()]);
      for (const j of jobs) {
        ctx.ui.log(`=== Building ${j.type} (${j.dockerfile})`);
        await docker(['build', '-f', j.dockerfile!, '-t', j.tag, ...buildArgs, context], { ...io(), cwd: ctx.cwd });
      }
      for (const j of jobs) {
        ctx.ui.log(`=== Pushing ${j.type} (${j.dockerfile})`);
        await docker(['push', j.tag], io()).catch((err: Error) => {
          throw new CliError(`${err.message}: is docker logged in to ${host}? Run \`paas container:login\` (and check you may deploy ${app})`);
        });
      }
      ctx.ui.log("Your image has been successfully pushed. You can now release it with the 'container:release' command.");
    });

  appCommand(program, 'container:release', 'release the pushed images of these process types (they run their own CMD with $PORT)')
    .argument('<process-types...>', 'the process types to release, e.g. web worker')
    .action(async (list: string[], opts: { app?: string; remote?: string }) => {
      const wanted = types(list);
      const app = await ctx.app(opts);
      const host = await registryHost(ctx);
      const updates: { type: string; docker_image: string }[] = [];
      for (const type of wanted) {
        const id = await imageId(`${host}/${app}/${type}`, ctx.env);
        if (!id) throw new CliError(`Cannot find local image ${host}/${app}/${type}: build and push it first (paas container:push ${type})`);
        updates.push({ type, docker_image: id });
      }
      const noun = wanted.length === 1 ? 'image' : 'images';
      await ctx.ui.action(`Releasing ${noun} ${wanted.join(',')} to ${appLabel(ctx, app)}`, () => ctx.api.patch(`/apps/${enc(app)}/formation`, { updates }));
    });
}
