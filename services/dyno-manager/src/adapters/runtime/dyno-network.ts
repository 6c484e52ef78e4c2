import type Docker from 'dockerode';
import { AddonRelay, ensureTenantNetwork, NetnsPool, type RelayTarget, type TenantNetwork } from '@paas/isolation';

/** Network namespaces kept made ahead: a deploy's new web dyno, or a scale by a few, starts without waiting for one. */
const NETNS_AHEAD = 3;

/**
 * Where docker dynos live: the scope's dynos network with its firewall, the relays of the add-on
 * servers on this host's loopback (from the network's gateway), and the namespaces made ahead
 * that dynos join. Set up on first use; closing ends the relays and the spare namespaces.
 */
export class DynoNetwork {
  private readonly relays: AddonRelay[] = [];
  private pool: NetnsPool | undefined;

  private constructor(readonly net: TenantNetwork, readonly relayedPorts: readonly number[]) {}

  static async open(docker: Docker, o: { scope: string; image: string; routerPorts: readonly number[]; addonServers: readonly RelayTarget[] }): Promise<DynoNetwork> {
    // The relays listen on this network's gateway only; the router's way in may be any address of the host.
    const relayedPorts = o.addonServers.map((a) => a.port);
    const n = new DynoNetwork(await ensureTenantNetwork(docker, o.scope, 'dynos', { gatewayPorts: relayedPorts, hostPorts: o.routerPorts }), relayedPorts);
    for (const target of o.addonServers) {
      const relay = await AddonRelay.open(n.net.gateway, target);
      if (relay) n.relays.push(relay);
    }
    n.pool = new NetnsPool(docker, n.net, { scope: o.scope, image: o.image, size: NETNS_AHEAD });
    n.pool.refill();
    return n;
  }

  get namespaces(): NetnsPool {
    return this.pool!;
  }

  /** Dynos' connections to their add-ons end with the relays; the next manager relays anew. */
  async close(): Promise<void> {
    await Promise.all(this.relays.splice(0).map((r) => r.close()));
    await this.pool?.close();
  }
}
