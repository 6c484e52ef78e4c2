import { PassThrough } from 'node:stream';
import { createInterface } from 'node:readline';
import { execFile } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { promisify } from 'node:util';
import type Docker from 'dockerode';
import type { Netns, NetnsPool, TenantNetwork } from '@paas/isolation';
import type { BuildLimits } from '../config.js';
import type { Sandbox, SandboxRun, StackPython } from '../buildpacks/context.js';
import { BuildError } from '../domain/build-error.js';
import { isToolSetting } from '../domain/build-env.js';
import { distinctVersions, parseProbe, PROBE } from './python-interpreters.js';

/** A host directory and where commands in the container see it. */
export interface Mount {
  readonly host: string;
  readonly at: string;
  readonly readOnly?: boolean;
}

/** Where the operator's certificate bundle (PAAS_BUILD_CA_FILE) is seen in a build container. */
const EXTRA_CA_AT = '/etc/ssl/paas/extra-ca.pem';
const HOST_PATHS = /^(PIP_CERT|PIP_CLIENT_CERT|npm_config_cafile|NPM_CONFIG_CAFILE)$/;

const STACK_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
/** The stack image's unprivileged user, the one dynos run as: builds run as it too. */
export const BUILD_UID = 1000;
const MB = 1024 * 1024;
const run = promisify(execFile);

/** Where and within what a build container runs. */
export interface BuildPlace {
  readonly network: TenantNetwork;
  /** The builds' namespaces made ahead on that network (see NetnsPool). */
  readonly pool: NetnsPool;
  readonly limits: BuildLimits;
  /** The certificate bundle builds trust too (PAAS_BUILD_CA_FILE), or null. */
  readonly caFile: string | null;
  /** The builds' egress proxy (http://gateway:port), given to build commands as HTTP_PROXY and HTTPS_PROXY. */
  readonly proxy?: string;
}
const pythonsByImage = new Map<string, Promise<StackPython[]>>();

/**
 * Commands run in one container of the stack image per build (the docker runtime): the build's
 * directories and the app's cache bind-mounted (handed to the build user first), on the builds'
 * tenant network (the outside world, package registries included, but nothing of the host), as
 * the unprivileged stack user, within the build limits. Removed when the build ends.
 */
export class StackSandbox implements Sandbox {
  /** Only the builder's package-tool settings (mirrors, indexes) go in; its paths mean nothing in the container. */
  readonly env: Readonly<Record<string, string>>;
  /** Every command's way out through the egress proxy (an app's own HTTP_PROXY config var wins). */
  private readonly proxies: Readonly<Record<string, string>>;

  private constructor(private readonly docker: Docker, private readonly container: Docker.Container, private readonly netns: Netns, private readonly image: string, private readonly mounts: readonly Mount[], extraCa: boolean, proxy?: string) {
    // The builder's certificate paths are host paths, meaningless in the container: the bundle below stands for them.
    const tools = Object.fromEntries(Object.entries(process.env).filter(([k]) => isToolSetting(k) && !HOST_PATHS.test(k))) as Record<string, string>;
    // Node (npm, corepack) adds the bundle to its own; pip and OpenSSL take it in place of theirs, so it must be a full bundle.
    const ca: Record<string, string> = extraCa ? { NODE_EXTRA_CA_CERTS: EXTRA_CA_AT, PIP_CERT: EXTRA_CA_AT, SSL_CERT_FILE: EXTRA_CA_AT } : {};
    this.env = { ...tools, ...ca };
    this.proxies = proxy ? { HTTP_PROXY: proxy, HTTPS_PROXY: proxy, http_proxy: proxy, https_proxy: proxy } : {};
  }

  /** Opens the build's container. */
  static async open(docker: Docker, image: string, buildMounts: readonly Mount[], labels: Record<string, string>, place: BuildPlace): Promise<StackSandbox> {
    const mounts = place.caFile ? [...buildMounts, { host: place.caFile, at: EXTRA_CA_AT, readOnly: true }] : buildMounts;
    await docker.getImage(image).inspect().catch(() => {
      throw new BuildError(`The stack image ${image} is not on this machine, so the build cannot run in it`, ['Build it with "npm run stack:build" (or set PAAS_STACK_IMAGE) and push again.']);
    });
    await handOver(buildMounts.filter((m) => !m.readOnly).map((m) => m.host), BUILD_UID);
    const { limits } = place;
    const netns = await place.pool.take();
    const container = await docker.createContainer({
      Image: image, Cmd: ['sleep', 'infinity'], User: `${BUILD_UID}:${BUILD_UID}`, WorkingDir: mounts[0].at, Labels: { ...labels, 'paas.netns': netns.id },
      HostConfig: {
        // A namespace of its own on the builds' network, made ahead: never the host's.
        NetworkMode: `container:${netns.id}`, Init: true, Binds: mounts.map((m) => `${m.host}:${m.at}${m.readOnly ? ':ro' : ''}`), CapDrop: ['ALL'], SecurityOpt: ['no-new-privileges'],
        Memory: limits.memoryMb * MB, MemorySwap: limits.memoryMb * MB, PidsLimit: limits.pids, NanoCpus: Math.round(limits.cpus * 1e9),
      },
    }).catch(async (err: Error) => {
      await place.pool.release(netns.id);
      throw new Error(`the Docker engine refused the build container (PAAS_BUILD_MEMORY_MB=${limits.memoryMb}, PAAS_BUILD_PIDS=${limits.pids}, PAAS_BUILD_CPUS=${limits.cpus}): ${err.message}`);
    });
    try {
      await container.start();
      place.pool.refill();
    } catch (err) {
      await container.remove({ force: true }).catch(() => undefined);
      await place.pool.release(netns.id);
      throw err;
    }
    return new StackSandbox(docker, container, netns, image, mounts, place.caFile !== null, place.proxy);
  }

  at(hostPath: string): string {
    for (const m of this.mounts) {
      if (hostPath === m.host) return m.at;
      if (hostPath.startsWith(m.host + '/')) return m.at + hostPath.slice(m.host.length);
    }
    return hostPath;
  }

  path(...dirs: string[]): string {
    return [...dirs, STACK_PATH].join(':');
  }

  /** Runs a command with `docker exec`; killing the container is how an abort stops it. */
  async run(argv: readonly string[], o: SandboxRun): Promise<void> {
    const shown = argv.join(' ');
    const kill = () => void this.container.kill().catch(() => undefined);
    if (o.signal.aborted) throw stopped(shown, o.signal);
    o.signal.addEventListener('abort', kill, { once: true });
    try {
      const exec = await this.container.exec({
        Cmd: [...argv], Env: Object.entries({ ...this.proxies, ...o.env }).map(([k, v]) => `${k}=${v}`), WorkingDir: this.at(o.cwd), AttachStdout: true, AttachStderr: true,
      });
      const stream = await exec.start({ hijack: true, stdin: false });
      const stdout = new PassThrough();
      const stderr = new PassThrough();
      this.docker.modem.demuxStream(stream, stdout, stderr);
      const ended = new Promise<void>((resolve) => {
        stream.once('end', resolve);
        stream.once('close', resolve);
        stream.once('error', () => resolve());
      });
      const lines = Promise.all([forEachLine(stdout, o.onLine), forEachLine(stderr, o.onLine)]);
      await ended;
      stdout.end();
      stderr.end();
      await lines;
      if (o.signal.aborted) throw stopped(shown, o.signal);
      const { ExitCode } = await exec.inspect();
      if (ExitCode === 0) return;
      if (ExitCode === 126 || ExitCode === 127) throw new BuildError(`${argv[0]} is not installed on the stack image ${this.image}, so "${shown}" could not run`);
      throw new BuildError(`"${shown}" exited with status ${ExitCode}`);
    } finally {
      o.signal.removeEventListener('abort', kill);
    }
  }

  /** The stack image's python3.N interpreters, probed once per image. */
  pythons(): Promise<StackPython[]> {
    let found = pythonsByImage.get(this.image);
    if (!found) {
      found = this.discoverPythons();
      pythonsByImage.set(this.image, found);
      found.catch(() => pythonsByImage.delete(this.image));
    }
    return found;
  }

  async nodeVersion(): Promise<string> {
    const out = await this.capture(['node', '--version']).catch(() => {
      throw new BuildError(`node is not installed on the stack image ${this.image}`);
    });
    return out.trim().replace(/^v/, '');
  }

  async close(): Promise<void> {
    await this.container.remove({ force: true }).catch(() => undefined);
    // Its namespace goes after the build, not within it (a builder that stops first leaves it to the next one's sweep).
    void this.docker.getContainer(this.netns.id).remove({ force: true }).catch(() => undefined);
  }

  private async discoverPythons(): Promise<StackPython[]> {
    const listing = await this.capture(['sh', '-c', 'ls -1 /usr/local/bin/python3.* /usr/bin/python3.* 2>/dev/null | grep -E "/python3\\.[0-9]+$" || true']);
    const found = [];
    for (const path of listing.split('\n').filter(Boolean)) {
      const probed = await this.capture([path, '-c', PROBE]).then((o) => ({ path, ...parseProbe(o) }), () => undefined);
      found.push(probed);
    }
    return distinctVersions(found);
  }

  private async capture(argv: string[]): Promise<string> {
    const lines: string[] = [];
    await this.run(argv, { cwd: this.mounts[0].host, env: { PATH: STACK_PATH }, signal: new AbortController().signal, onLine: (l) => lines.push(l) });
    return lines.join('\n');
  }
}

/**
 * Gives the build's directories to the user builds run as: what the builder unpacked (and a cache
 * from before builds ran unprivileged) becomes the build's to write, and no one else's to read; a
 * tree that is that user's already is left as it is. Links are changed, never followed.
 */
export async function handOver(dirs: readonly string[], uid: number): Promise<void> {
  const given = await Promise.all(dirs.map(async (dir) => {
    const s = await stat(dir);
    return s.uid === uid && (s.mode & 0o077) === 0;
  }));
  const rest = dirs.filter((_, i) => !given[i]);
  if (rest.length === 0) return;
  await run('chown', ['-R', '--no-dereference', `${uid}:${uid}`, ...rest]);
  await run('chmod', ['go-rwx', ...rest]);
}

function stopped(shown: string, signal: AbortSignal): BuildError {
  const why = signal.reason instanceof Error ? signal.reason.message : 'the build was stopped';
  return new BuildError(`"${shown}" was stopped: ${why}`);
}

async function forEachLine(stream: PassThrough, onLine: (line: string) => void): Promise<void> {
  for await (const line of createInterface({ input: stream, crlfDelay: Infinity })) onLine(String(line));
}
