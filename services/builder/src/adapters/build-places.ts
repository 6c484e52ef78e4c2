import { chmod } from 'node:fs/promises';
import { dirname } from 'node:path';
import Docker from 'dockerode';
import { appUid, canSwitchUsers, closeDataDir, ensureTenantNetwork, NetnsPool, removeIdleNetns, type TenantNetwork } from '@paas/isolation';
import type { Sandbox } from '../buildpacks/context.js';
import type { BuilderSettings, BuildLimits } from '../config.js';
import { BuildError } from '../domain/build-error.js';
import type { BuildCache } from './build-cache.js';
import type { BuildLog } from './build-log.js';
import { EgressProxy } from './egress-proxy.js';
import { HostSandbox } from './host-sandbox.js';
import { handOver, StackSandbox } from './stack-sandbox.js';

/** Open files per build process, as a dyno's (Heroku's number). */
const OPEN_FILES = 10_000;

interface BuildNetwork { readonly network: TenantNetwork; readonly pool: NetnsPool; readonly proxy: string }

/** Build namespaces kept made ahead: the next build's container starts without waiting for one. */
const NETNS_AHEAD = 1;

/** One build as its place needs to know it: the app, its directories (host paths) and its labels. */
export interface BuildSite {
  readonly appId: string;
  readonly appName: string;
  readonly buildId: string;
  readonly dir: string;
  readonly scratch: string;
}

/**
 * Where builds run: the host (process runtime; as the app's own user when the builder is root),
 * or a container of the stack image on the builds' tenant network with the egress proxy on its
 * gateway (docker runtime); and where Docker builds run their steps.
 */
export class BuildPlaces {
  private network: Promise<BuildNetwork> | undefined;
  private proxy: EgressProxy | undefined;
  private pool: NetnsPool | undefined;

  constructor(private readonly settings: BuilderSettings, private readonly cache: BuildCache) {}

  /** The host, or a container of the stack image with the build's dirs and the app's cache mounted. */
  async sandboxFor(b: BuildSite, out: BuildLog): Promise<Sandbox> {
    const { buildIn, stackImage, buildCaFile, buildLimits } = this.settings;
    if (buildIn === 'host') return this.hostSandbox(b);
    const docker = new Docker();
    if (buildIn === 'auto' && !(await docker.ping().then(() => true, () => false))) return this.hostSandbox(b);
    out.detail(`Building in a container of the stack image ${stackImage}`);
    const mounts = [{ host: b.dir, at: '/app' }, { host: b.scratch, at: '/tmp/build' }, { host: await this.cache.appDir(b.appId), at: '/cache' }];
    const labels = { 'paas.scope': this.settings.messaging.namespace, 'paas.app': b.appName, 'paas.build': b.buildId };
    const { network, pool, proxy } = await this.buildNetwork(docker);
    return StackSandbox.open(docker, stackImage, mounts, labels, { network, pool, limits: buildLimits, caFile: buildCaFile, proxy });
  }

  /** Where Docker builds run their steps; none when no engine answers (compiling then says so). */
  async imageBuildPlace(): Promise<{ network: string; limits: BuildLimits } | undefined> {
    const docker = new Docker();
    if (!(await docker.ping().then(() => true, () => false))) return undefined;
    return { network: (await this.buildNetwork(docker)).network.name, limits: this.settings.buildLimits };
  }

  /** Stops the egress proxy (builds in flight lose it with the builder) and removes the namespaces made ahead. */
  async close(): Promise<void> {
    await this.proxy?.close();
    await this.pool?.close();
  }

  /**
   * The host, with the build's directories and the app's cache handed to the app's own user when
   * the builder may switch users (as root): the build then runs as that user, as its dynos do.
   */
  private async hostSandbox(b: BuildSite): Promise<Sandbox> {
    if (!canSwitchUsers()) return new HostSandbox();
    const { dataDir, buildLimits } = this.settings;
    const uid = await appUid(dataDir, b.appId);
    await closeDataDir(dataDir);
    await handOver([b.dir, b.scratch, await this.cache.appDir(b.appId)], uid);
    await chmod(dirname(b.dir), 0o711);
    return new HostSandbox({ uid, limits: { memoryMb: buildLimits.memoryMb, processes: buildLimits.pids, files: OPEN_FILES } });
  }

  /**
   * The builds' tenant network, its firewall and the egress proxy on its gateway, made once per
   * builder (again after a failure): builds reach the outside world and, through the proxy, the
   * internal places PAAS_BUILD_ALLOWED_HOSTS lists; nothing else of this host.
   */
  private buildNetwork(docker: Docker): Promise<BuildNetwork> {
    const { messaging, buildProxyPort, buildAllowedHosts } = this.settings;
    this.network ??= (async () => {
      const network = await ensureTenantNetwork(docker, messaging.namespace, 'builds', { gatewayPorts: [buildProxyPort], hostPorts: [] });
      this.proxy ??= await EgressProxy.open(network.gateway, buildProxyPort, buildAllowedHosts).catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'EADDRINUSE') return undefined; // another builder of this platform on this host serves it
        throw err;
      });
      // What a builder that stopped without closing its pool left goes first.
      await removeIdleNetns(docker, messaging.namespace);
      this.pool = new NetnsPool(docker, network, { scope: messaging.namespace, image: this.settings.stackImage, size: NETNS_AHEAD });
      this.pool.refill();
      return { network, pool: this.pool, proxy: `http://${network.gateway}:${buildProxyPort}` };
    })().catch((err: Error) => {
      this.network = undefined;
      throw new BuildError(`The builds' network could not be set up, so no build can run in a container: ${err.message}`);
    });
    return this.network;
  }
}
