import { readFile, realpath } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { Readable } from 'node:stream';
import Docker from 'dockerode';
import * as tar from 'tar';
import { BuildError } from '../domain/build-error.js';
import { baseImagesOf, type HerokuYml } from '../domain/heroku-yml.js';
import type { BuildContext, CompileResult } from './context.js';

const MB = 1024 * 1024;
const CPU_PERIOD = 100_000;

interface ImageRef { id: string; tag: string; command: string | undefined }
interface BuildMessage { stream?: string; status?: string; error?: string; errorDetail?: { message?: string }; aux?: { ID?: string } }

/**
 * Docker builds from heroku.yml (or a root Dockerfile): each Dockerfile is built by the local
 * engine from the app dir sent as a tar stream, its output streamed to the pusher; images are
 * tagged `paas-app/<app>:<build id>-<type>` and each process type gets its image and command.
 */
export async function compileDocker(ctx: BuildContext, yml: HerokuYml, docker = new Docker()): Promise<CompileResult> {
  if (ctx.files.procfile !== undefined) ctx.out.detail('Procfile ignored: heroku.yml defines the process types');
  await docker.ping().catch((err: Error) => {
    throw new BuildError(`No Docker engine answers on this builder (${err.message}), so heroku.yml cannot be built`, ['Start the Docker engine, or remove build.docker from heroku.yml, and push again.']);
  });
  const byFile = new Map<string, ImageRef>();
  for (const [type, file] of Object.entries(yml.build)) {
    if (byFile.has(file)) continue;
    ctx.out.header(`Building ${type} (${file})`);
    byFile.set(file, await buildImage(ctx, docker, type, file));
  }
  const types = new Set([...Object.keys(yml.build), ...Object.keys(yml.run)]);
  const processTypes: Record<string, string> = {};
  const images: Record<string, { id: string; tag: string }> = {};
  const fallback = yml.build.web ?? Object.values(yml.build)[0];
  for (const type of types) {
    const from = yml.run[type]?.image;
    const file = yml.build[from ?? type] ?? fallback;
    if (from && !yml.build[from]) throw new BuildError(`heroku.yml: run.${type}.image is "${from}", which build.docker does not define`);
    const image = byFile.get(file)!;
    const command = yml.run[type]?.command ?? image.command;
    if (!command) throw new BuildError(`Process type "${type}" has no command: add run.${type} to heroku.yml or a CMD to ${file}`);
    processTypes[type] = command;
    images[type] = { id: image.id, tag: image.tag };
  }
  return { processTypes, images };
}

async function buildImage(ctx: BuildContext, docker: Docker, type: string, file: string): Promise<ImageRef> {
  const dockerfile = await readDockerfile(ctx.dir, file);
  for (const base of baseImagesOf(dockerfile)) {
    await docker.getImage(base).inspect().catch(() => {
      throw new BuildError(`The base image "${base}" (FROM in ${file}) is not on this machine, and no image registry is reachable from here`, [
        'Build or load that image on the Docker engine first (docker image ls shows what is there), or change FROM, and push again.',
      ]);
    });
  }
  const tag = `paas-app/${ctx.appName}:${ctx.buildId}-${type.toLowerCase()}`;
  const context = Readable.from(tar.c({ cwd: ctx.dir, portable: true }, ['.']), { objectMode: false });
  const place = ctx.imageBuild;
  // RUN steps get the builds' network (never the host's) and the build limits.
  const limits = place ? {
    networkmode: place.network, memory: place.limits.memoryMb * MB, memswap: place.limits.memoryMb * MB, cpuperiod: CPU_PERIOD, cpuquota: Math.round(place.limits.cpus * CPU_PERIOD),
  } : {};
  const stream = await docker.buildImage(context, {
    t: tag, dockerfile: file, rm: true, forcerm: true, labels: { 'paas.app': ctx.appName, 'paas.build': ctx.buildId }, buildargs: {}, ...limits,
  }).catch((err: Error) => {
    throw new BuildError(`docker build of ${file} could not start: ${err.message}`, place ? [`Build limits: PAAS_BUILD_MEMORY_MB=${place.limits.memoryMb}, PAAS_BUILD_CPUS=${place.limits.cpus}`] : []);
  });
  const failure = await new Promise<string | undefined>((resolve, reject) => {
    let error: string | undefined;
    const onAbort = () => {
      (stream as unknown as { destroy?: () => void }).destroy?.();
      reject(new BuildError(`docker build of ${file} was stopped: ${String((ctx.signal.reason as Error)?.message ?? 'the build was stopped')}`));
    };
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    docker.modem.followProgress(stream, (err: Error | null) => {
      ctx.signal.removeEventListener('abort', onAbort);
      if (err) reject(new BuildError(`docker build of ${file} failed: ${err.message}`));
      else resolve(error);
    }, (m: BuildMessage) => {
      const text = m.stream ?? m.status;
      if (text) for (const line of text.split('\n')) if (line.trim() !== '') ctx.out.detail(line.trimEnd());
      if (m.error) error = m.errorDetail?.message ?? m.error;
    });
  });
  if (failure) throw new BuildError(`docker build of ${file} failed: ${failure}`);
  const info = await docker.getImage(tag).inspect();
  const argv = [...(info.Config.Entrypoint ?? []), ...(info.Config.Cmd ?? [])];
  ctx.out.detail(`Image ${tag} (${info.Id.slice(7, 19)})`);
  return { id: info.Id, tag, command: argv.length ? argv.join(' ') : undefined };
}

/** The Dockerfile's text; it must be a file inside the app. */
async function readDockerfile(dir: string, file: string): Promise<string> {
  const root = await realpath(dir);
  const real = await realpath(join(dir, file)).catch(() => undefined);
  if (!real) throw new BuildError(`heroku.yml names ${file}, which is not in the pushed tree`, ['Commit the Dockerfile or fix the path in heroku.yml, and push again.']);
  if (!real.startsWith(root + sep)) throw new BuildError(`${file} is a link that leads outside the app`);
  return readFile(real, 'utf8');
}
