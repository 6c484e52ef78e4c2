import { spawn } from 'node:child_process';
import type Docker from 'dockerode';
import { firewallRemovalScript, firewallScript, tenantNames, type OpenPorts, type TenantKind } from './firewall.js';

/** The Docker network tenants' containers (dynos, builds) run in, as created for one platform scope. */
export interface TenantNetwork {
  /** The Docker network's name (`<scope>-dynos`, `<scope>-builds`). */
  readonly name: string;
  /** Its Linux bridge on the host. */
  readonly bridge: string;
  /** The host's address on the network: where tenants reach the ports the firewall leaves open. */
  readonly gateway: string;
  readonly subnet: string;
}

/**
 * Makes sure the scope's tenant network exists and that the host firewall around it is in place:
 * a bridge network without inter-container traffic (ICC off), whose containers reach the outside
 * world through the engine's NAT and, on the host, only `open` (see FirewallPlan). Safe to call from several
 * services at once; the firewall table is replaced whole each time.
 */
export async function ensureTenantNetwork(docker: Docker, scope: string, kind: TenantKind, open: OpenPorts): Promise<TenantNetwork> {
  const names = tenantNames(scope, kind);
  let info = await inspect(docker, names.network);
  if (!info) {
    await docker.createNetwork({
      Name: names.network,
      Driver: 'bridge',
      CheckDuplicate: true,
      Labels: { 'paas.scope': scope, 'paas.tenants': kind },
      Options: { 'com.docker.network.bridge.name': names.bridge, 'com.docker.network.bridge.enable_icc': 'false', 'com.docker.network.bridge.enable_ip_masquerade': 'true' },
    }).catch((err: { statusCode?: number; message?: string }) => {
      // Another service made it meanwhile: that one is as good.
      if (err.statusCode !== 409) throw new Error(`creating the tenant network ${names.network}: ${err.message}`);
    });
    info = await inspect(docker, names.network);
  }
  const ipam = info?.IPAM?.Config?.[0];
  if (!info || !ipam?.Gateway || !ipam.Subnet) throw new Error(`the tenant network ${names.network} has no IPv4 subnet and gateway`);
  const bridge = info.Options?.['com.docker.network.bridge.name'] ?? names.bridge;
  if (info.Options?.['com.docker.network.bridge.enable_icc'] !== 'false') {
    throw new Error(`the Docker network ${names.network} lets its containers reach each other (it was not made by the platform): remove it (docker network rm ${names.network}) and start again`);
  }
  const gateway = ipam.Gateway.split('/')[0]!;
  await nft(firewallScript({ table: names.table, bridge, gateway, ...open }), `installing the firewall of ${names.network}`);
  return { name: names.network, bridge, gateway, subnet: ipam.Subnet };
}

/** Removes a scope's tenant networks and their firewall tables (tests clean up with this); containers on them go first. */
export async function removeTenantNetworks(docker: Docker, scope: string): Promise<void> {
  for (const kind of ['dynos', 'builds'] as const) await removeTenantNetwork(docker, tenantNames(scope, kind));
}

async function removeTenantNetwork(docker: Docker, names: ReturnType<typeof tenantNames>): Promise<void> {
  const info = await inspect(docker, names.network);
  if (info) {
    for (const id of Object.keys(info.Containers ?? {})) await docker.getContainer(id).remove({ force: true, v: true }).catch(() => undefined);
    await docker.getNetwork(names.network).remove().catch((err: { statusCode?: number; message?: string }) => {
      if (err.statusCode !== 404) throw new Error(`removing the tenant network ${names.network}: ${err.message}`);
    });
  }
  await nft(firewallRemovalScript(names.table), `removing the firewall of ${names.network}`);
}

/** The address a container has on a network, from its inspect data; undefined when it is not on it. */
export function addressOn(container: Docker.ContainerInspectInfo | Docker.ContainerInfo, network: string): string | undefined {
  const nets = (container.NetworkSettings as { Networks?: Record<string, { IPAddress?: string }> } | undefined)?.Networks;
  const ip = nets?.[network]?.IPAddress;
  return ip ? ip : undefined;
}

async function inspect(docker: Docker, name: string): Promise<Docker.NetworkInspectInfo | undefined> {
  try {
    return await docker.getNetwork(name).inspect() as Docker.NetworkInspectInfo;
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404) return undefined;
    throw err;
  }
}

/** Runs an nft script; the platform needs root (or CAP_NET_ADMIN) and the nftables package for it. */
function nft(script: string, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('nft', ['-f', '-'], { stdio: ['pipe', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    child.once('error', (e: NodeJS.ErrnoException) => reject(new Error(e.code === 'ENOENT'
      ? `${what}: the nft command is missing; install the nftables package (apt-get install nftables)`
      : `${what}: ${e.message}`)));
    child.once('exit', (code) => {
      if (code === 0) return resolve();
      const why = err.trim().split('\n').slice(0, 3).join(' / ');
      reject(new Error(`${what} failed (nft exit ${code}: ${why}); tenant containers need it, so run the platform as root (or with CAP_NET_ADMIN)`));
    });
    child.stdin.end(script);
  });
}
