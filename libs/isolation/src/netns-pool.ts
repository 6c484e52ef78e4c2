import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type Docker from 'dockerode';
import { addressOn, type TenantNetwork } from './tenant-network.js';

/** A network namespace on a tenant network, held by a placeholder container: its id and the address it has there. */
export interface Netns {
  readonly id: string;
  readonly address: string;
}

/** Labels of placeholders: whose they are, so adoption and cleanup find them. */
export const NETNS_LABELS = { scope: 'paas.scope', netns: 'paas.netns', pool: 'paas.netns-pool', address: 'paas.address' } as const;

export interface NetnsPoolOptions {
  readonly scope: string;
  /** An image with `sleep` (the stack image). */
  readonly image: string;
  /** How many namespaces are kept made ahead. */
  readonly size: number;
}

/**
 * Network namespaces made ahead on a tenant network. Joining a Docker network costs a container
 * start about 150 ms (a veth pair, an address, the engine's resolver), which every dyno and every
 * build would pay; instead a small pool of placeholder containers each holds a namespace with its
 * own address, a container joins one (`NetworkMode: container:<id>`) and starts as fast as on the
 * host's network. Each namespace serves one container and is removed with it; the pool refills in
 * the background.
 */
export class NetnsPool {
  /** Marks this pool's placeholders with its process: another pool's idle ones may be removed once that process is gone. */
  readonly owner = `${process.pid}@${hostname()}#${randomUUID()}`;
  private readonly ready: Promise<Netns | undefined>[] = [];
  private closed = false;

  constructor(private readonly docker: Docker, private readonly network: TenantNetwork, private readonly o: NetnsPoolOptions) {}

  /**
   * A namespace of its own for one container (from the pool when one is ready, else made now).
   * The pool is not refilled here: making one competes with the caller's own container start at
   * the engine, so the caller refills once its container runs.
   */
  async take(): Promise<Netns> {
    const next = this.ready.shift();
    // One made ahead that failed is not tried again in a loop: this one is made now, or fails saying why.
    return (next ? await next : undefined) ?? this.make();
  }

  /** Removes a namespace's placeholder (its container is gone, or never started). */
  async release(id: string): Promise<void> {
    await this.docker.getContainer(id).remove({ force: true }).catch(() => undefined);
  }

  /** Removes the namespaces made ahead. */
  async close(): Promise<void> {
    this.closed = true;
    const idle = await Promise.all(this.ready.splice(0));
    await Promise.all(idle.map((n) => n && this.release(n.id)));
  }

  /** Fills the pool up to its size, in the background; a namespace that could not be made is simply not there. */
  refill(): void {
    while (!this.closed && this.ready.length < this.o.size) this.ready.push(this.make().catch(() => undefined));
  }

  private async make(): Promise<Netns> {
    const c = await this.docker.createContainer({
      Image: this.o.image, Cmd: ['sleep', 'infinity'], User: '65534:65534',
      Labels: { [NETNS_LABELS.scope]: this.o.scope, [NETNS_LABELS.netns]: 'placeholder', [NETNS_LABELS.pool]: this.owner },
      NetworkingConfig: { EndpointsConfig: { [this.network.name]: {} } },
      HostConfig: {
        NetworkMode: this.network.name, Init: true, Memory: 16 * 1024 * 1024, PidsLimit: 8, CapDrop: ['ALL'], SecurityOpt: ['no-new-privileges'], ReadonlyRootfs: true,
      },
    });
    try {
      await c.start();
      const address = addressOn(await c.inspect(), this.network.name);
      if (!address) throw new Error(`the placeholder has no address on ${this.network.name}`);
      if (this.closed) throw new Error('the pool is closed');
      return { id: c.id, address };
    } catch (err) {
      await c.remove({ force: true }).catch(() => undefined);
      throw new Error(`making a network namespace on ${this.network.name}: ${(err as Error).message}`);
    }
  }
}

/**
 * Removes the placeholders of a scope that no container uses and no live pool holds: a manager
 * that stopped without closing its pool, or a container removed from outside, left them. A pool
 * of a process still running on this host keeps its own.
 */
export async function removeIdleNetns(docker: Docker, scope: string): Promise<void> {
  const all = await docker.listContainers({ all: true, filters: { label: [`${NETNS_LABELS.scope}=${scope}`] } });
  const joined = new Set(all.map((c) => c.Labels[NETNS_LABELS.netns]).filter((v) => v && v !== 'placeholder'));
  const idle = all.filter((c) => c.Labels[NETNS_LABELS.netns] === 'placeholder' && !joined.has(c.Id) && !livePool(c.Labels[NETNS_LABELS.pool] ?? ''));
  await Promise.all(idle.map((c) => docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined)));
}

/** Whether a pool's owner (pid@host#id) is a process still running on this host. */
function livePool(owner: string): boolean {
  const m = /^(\d+)@([^#]+)#/.exec(owner);
  if (!m || m[2] !== hostname()) return false;
  try {
    process.kill(Number(m[1]), 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
