import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { Duplex } from 'node:stream';
import type Docker from 'dockerode';
import type { FileBlobStore } from '@paas/storage';
import type { BlobRef } from '@paas/contracts';
import { removeIdleNetns, type Netns, type RelayTarget } from '@paas/isolation';
import { limitsOf, R15_FACTOR } from '../../domain/dyno-size.js';
import { containerName, containerOptions, DYNO_UID, handleFromLabels, LABELS as L } from './container-spec.js';
import type { AttachCallbacks, AttachedProcess, DynoExit, DynoHandle, DynoMemory, DynoOutput, DynoSpec, RuntimeDriver } from './driver.js';
import { chunkWriter, followLogs, lineWriter } from './docker-streams.js';
import { DynoNetwork } from './dyno-network.js';
import { pullMissingImage } from './image-pull.js';
import { PortAllocator } from './port-allocator.js';
import { TarOwner } from './tar-owner.js';

/** How long an unexplained SIGKILL is given for the engine to record that it was an OOM kill. */
const OOM_SETTLE_MS = 1500;

export interface DockerDriverOptions {
  readonly docker: Docker;
  /** The stack image dynos run in (PAAS_STACK_IMAGE). */
  readonly image: string;
  /** Containers carry this in the `paas.scope` label: a manager adopts and cleans up only its own. */
  readonly scope: string;
  readonly portMin: number;
  readonly portMax: number;
  /** The router's way in: the host ports dynos may reach at any address; the firewall drops the rest but the relays. */
  readonly routerPorts: readonly number[];
  /** Add-on servers on the host's loopback: relayed from the network's gateway (see AddonRelay). */
  readonly addonServers?: readonly RelayTarget[];
  /** Replaces every size's memory quota (PAAS_DYNO_MEMORY_MB). */
  readonly memoryMb?: number;
  /** How often memory use is sampled for R14; 0 turns it off. */
  readonly memoryCheckMs: number;
  /** Makes sure the image exists (builds the stack image when missing); called before the first dyno starts. */
  readonly ensureImage: () => Promise<void>;
  /** Credentials for pulling a release's image the engine does not have (pushed to the platform's registry). */
  readonly pullAuth?: (image: string) => Promise<Docker.AuthConfig | undefined>;
}

interface Running {
  readonly handle: DynoHandle;
  /** The placeholder holding its network namespace, removed with it. */
  readonly netns: string;
  readonly container: Docker.Container;
  readonly quotaMb: number;
  readonly abort: AbortController;
  /** Resolves with the exit once the container stopped and its output was passed on. */
  exited?: Promise<DynoExit>;
  stopping: boolean;
  attached?: { stream: Duplex };
}

/**
 * The Docker runtime: one container per dyno from the stack image, the slug copied into /app
 * (putArchive, no bind mounts), a non-root user, memory and pids limits by dyno size, all
 * capabilities dropped, no-new-privileges, a read-only root filesystem with /app and /tmp
 * writable, on the scope's tenant network (see @paas/isolation). Labels name the dyno, so a new
 * manager adopts the containers it finds.
 */
export class DockerDriver implements RuntimeDriver {
  private readonly running = new Map<string, Running>();
  private readonly exitListeners: ((id: string, exit: DynoExit) => void)[] = [];
  private readonly outputListeners: ((out: DynoOutput) => void)[] = [];
  private readonly memoryListeners: ((m: DynoMemory) => void)[] = [];
  private readonly ports: PortAllocator;
  private readonly verified = new Set<string>();
  private readonly memoryTimer: NodeJS.Timeout | undefined;
  private image: Promise<DynoNetwork> | undefined;
  private network: DynoNetwork | undefined;
  private readonly pulls = new Map<string, Promise<void>>();
  private closed = false;

  constructor(private readonly o: DockerDriverOptions, private readonly blobs: FileBlobStore) {
    this.ports = new PortAllocator(o.portMin, o.portMax);
    if (o.memoryCheckMs > 0) {
      this.memoryTimer = setInterval(() => void this.checkMemory(), o.memoryCheckMs);
      this.memoryTimer.unref();
    }
  }

  async start(spec: DynoSpec): Promise<DynoHandle> {
    const r = await this.create(spec, false);
    try {
      await r.container.start();
      this.network?.namespaces.refill();
      const out = lineWriter((line) => this.output(r, line));
      const logs = followLogs(this.o.docker, r.container, out, false, r.abort.signal).catch(() => undefined);
      r.exited = this.watch(r, logs);
      return r.handle;
    } catch (err) {
      await this.discard(r);
      throw new Error(`starting ${spec.name} of ${spec.appName}: ${(err as Error).message}`);
    }
  }

  async startAttached(spec: DynoSpec, callbacks: AttachCallbacks): Promise<AttachedProcess> {
    const r = await this.create(spec, true);
    try {
      const stream = await r.container.attach({ stream: true, stdin: true, stdout: true, stderr: true, hijack: true }) as unknown as Duplex;
      r.attached = { stream };
      stream.on('error', () => undefined);
      const out = chunkWriter((chunk) => callbacks.onOutput(chunk));
      const drained = new Promise<void>((resolve) => {
        // With a terminal the stream is raw; without one stdout and stderr come multiplexed.
        if (spec.tty) stream.pipe(out);
        else this.o.docker.modem.demuxStream(stream, out, out);
        stream.once('end', () => resolve());
        stream.once('close', () => resolve());
      });
      await r.container.start();
      this.network?.namespaces.refill();
      r.exited = this.watch(r, drained);
      void r.exited.then((exit) => callbacks.onExit(exit));
      return {
        handle: r.handle,
        write: (data) => { if (!stream.writableEnded) stream.write(data); },
        end: () => { if (!stream.writableEnded) stream.end(); },
      };
    } catch (err) {
      await this.discard(r);
      throw new Error(`starting ${spec.name} of ${spec.appName}: ${(err as Error).message}`);
    }
  }

  async stop(id: string, graceMs: number): Promise<DynoExit> {
    const r = this.running.get(id);
    if (!r) return { code: null, signal: null };
    r.stopping = true;
    let forced = false;
    let exit: DynoExit = { code: null, signal: null };
    if (r.exited) {
      await r.container.kill({ signal: 'SIGTERM' }).catch(() => undefined);
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<'timeout'>((resolve) => { timer = setTimeout(() => resolve('timeout'), graceMs); });
      const first = await Promise.race([r.exited, timedOut]);
      clearTimeout(timer);
      if (first === 'timeout') {
        forced = true;
        await r.container.kill({ signal: 'SIGKILL' }).catch(() => undefined);
        exit = await r.exited;
      } else exit = first;
    }
    await this.discard(r);
    return forced ? { ...exit, forced } : exit;
  }

  async list(): Promise<DynoHandle[]> {
    await this.ready();
    // Dyno containers only: the namespaces made ahead (placeholders) are the pool's, tidied below.
    const found = await this.o.docker.listContainers({ all: true, filters: { label: [`${L.scope}=${this.o.scope}`, L.id] } });
    const out: DynoHandle[] = [];
    for (const c of found) {
      const labels = c.Labels;
      const handle = handleFromLabels(labels, c.Created);
      const id = handle?.id ?? '';
      const known = this.running.get(id);
      if (known) {
        if (!known.stopping && !known.attached) out.push(known.handle);
        continue;
      }
      const container = this.o.docker.getContainer(c.Id);
      // Attached dynos end with the manager that relayed them; stopped ones left nothing worth keeping.
      if (c.State !== 'running' || labels[L.attached] === '1' || !handle) {
        await container.remove({ force: true, v: true }).catch(() => undefined);
        continue;
      }
      const r: Running = { handle, netns: labels[L.netns] ?? '', container, quotaMb: Number(labels[L.quota]) || 512, abort: new AbortController(), stopping: false };
      this.running.set(id, r);
      this.ports.reserve(handle.port);
      const logs = followLogs(this.o.docker, container, lineWriter((line) => this.output(r, line)), true, r.abort.signal).catch(() => undefined);
      r.exited = this.watch(r, logs);
      out.push(handle);
    }
    // Namespaces whose dyno is gone (it was removed from outside, or a manager stopped mid-start) go too.
    await removeIdleNetns(this.o.docker, this.o.scope);
    return out;
  }

  onExit(listener: (id: string, exit: DynoExit) => void): void {
    this.exitListeners.push(listener);
  }

  onOutput(listener: (out: DynoOutput) => void): void {
    this.outputListeners.push(listener);
  }

  onMemory(listener: (m: DynoMemory) => void): void {
    this.memoryListeners.push(listener);
  }

  /** Stops watching: dynos keep running for the next manager, attached ones end (nobody could attach again). */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.memoryTimer);
    await this.network?.close();
    const attached = [...this.running.values()].filter((r) => r.attached);
    for (const r of this.running.values()) if (!r.attached) r.abort.abort();
    await Promise.all(attached.map((r) => this.stop(r.handle.id, 0)));
    this.running.clear();
  }

  /** Builds (once) what the dyno needs: the image, a network namespace, a fresh container with the slug in /app, a port. */
  private async create(spec: DynoSpec, attached: boolean): Promise<Running> {
    const { net, namespaces: pool } = await this.ready();
    if (spec.image) await this.pulled(spec.image);
    const previous = this.running.get(spec.id);
    if (previous) await this.discard(previous); // a crashed instance being restarted
    const name = containerName(this.o.scope, spec);
    await this.o.docker.getContainer(name).remove({ force: true, v: true }).catch(() => undefined);
    const port = await this.ports.allocate();
    const quotaMb = limitsOf(spec.size ?? 'standard-1x', this.o.memoryMb).memoryMb;
    const startedAt = Date.now();
    let container: Docker.Container | undefined;
    let netns: Netns | undefined;
    try {
      netns = await pool.take();
      container = await this.o.docker.createContainer(containerOptions(spec, this.o, { gateway: net.gateway, netns, relayedPorts: this.network!.relayedPorts }, name, port, startedAt, attached));
      if (!spec.image) await this.copySlug(container, spec.slug);
    } catch (err) {
      this.ports.release(port);
      await container?.remove({ force: true, v: true }).catch(() => undefined);
      if (netns) await pool.release(netns.id);
      const e = err as { statusCode?: number; message: string };
      // The engine refuses limits it cannot apply (too little memory, say): name what sets them.
      const limits = e.statusCode === 400 && !container ? ` (its limits come from the size ${spec.size ?? 'standard-1x'}: ${quotaMb} MB, killed at ${quotaMb * R15_FACTOR} MB${this.o.memoryMb ? `, set by PAAS_DYNO_MEMORY_MB=${this.o.memoryMb}` : ''})` : '';
      throw new Error(`creating the container of ${spec.name} of ${spec.appName}: ${e.message}${limits}`);
    }
    const handle: DynoHandle = {
      id: spec.id, appId: spec.appId, appName: spec.appName, name: spec.name, type: spec.type, releaseVersion: spec.releaseVersion,
      command: spec.command, host: netns.address, port, pid: 0, startedAt,
    };
    const r: Running = { handle, netns: netns.id, container, quotaMb, abort: new AbortController(), stopping: false };
    this.running.set(spec.id, r);
    return r;
  }

  /** Streams the slug (a gzipped tar) into the container's /app, owned by the dyno user. */
  private async copySlug(container: Docker.Container, ref: BlobRef): Promise<void> {
    const key = `${ref.key}@${ref.checksum}`;
    if (!this.verified.has(key)) {
      await this.blobs.verify(ref);
      this.verified.add(key);
    }
    await container.putArchive(ownedByDyno(this.blobs.localPath(ref)), { path: '/app' });
  }

  /** Waits for the container to stop, then reports the exit (unless it was stopped on purpose). */
  private async watch(r: Running, output: Promise<void>): Promise<DynoExit> {
    let code: number | null = null;
    try {
      const res = await r.container.wait({ abortSignal: r.abort.signal }) as { StatusCode?: number };
      code = typeof res.StatusCode === 'number' ? res.StatusCode : null;
    } catch {
      if (r.abort.signal.aborted) return { code: null, signal: null };
    }
    await Promise.race([output, new Promise((resolve) => setTimeout(resolve, 2000).unref())]);
    const oomKilled = await this.oomKilled(r, code);
    const exit: DynoExit = { code, signal: code !== null && code > 128 ? signalName(code - 128) : null, ...(oomKilled ? { oomKilled: true } : {}) };
    if (r.stopping || this.closed || r.attached) {
      if (r.attached && !r.stopping) await this.discard(r);
      return exit;
    }
    await this.discard(r);
    for (const l of this.exitListeners) l(r.handle.id, exit);
    return exit;
  }

  /**
   * Whether the kernel's OOM killer ended the container. The engine learns of an OOM kill from an
   * event of its own that may arrive after the exit (seen on a busy machine with cgroup v1), so a
   * SIGKILL (137) we did not send is looked at again for a moment before it is taken as a plain kill.
   */
  private async oomKilled(r: Running, code: number | null): Promise<boolean> {
    const deadline = Date.now() + (code === 137 && !r.stopping ? OOM_SETTLE_MS : 0);
    for (;;) {
      const state = await r.container.inspect().then((i) => i.State).catch(() => undefined);
      if (state?.OOMKilled) return true;
      if (state === undefined || Date.now() >= deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** Forgets a dyno and removes its container (and its /app volume). */
  private async discard(r: Running): Promise<void> {
    if (this.running.get(r.handle.id) === r) {
      this.running.delete(r.handle.id);
      this.ports.release(r.handle.port);
    }
    r.abort.abort();
    await r.container.remove({ force: true, v: true }).catch(() => undefined);
    // Its namespace goes after it, without holding up what waits for the dyno to be gone (a restart,
    // a deploy's next step); a manager that stops first leaves it to the next one's sweep.
    if (r.netns) void this.o.docker.getContainer(r.netns).remove({ force: true }).catch(() => undefined);
  }

  /** A release's image, pulled when the engine lacks it (a `container:push`ed image removed or pushed from elsewhere). */
  private pulled(image: string): Promise<void> {
    let p = this.pulls.get(image);
    if (!p) {
      p = (async () => pullMissingImage(this.o.docker, image, await this.o.pullAuth?.(image)))();
      this.pulls.set(image, p);
      // Only concurrent starts share a pull: the next start looks again (the image may have been removed).
      void p.catch(() => undefined).finally(() => this.pulls.delete(image));
    }
    return p;
  }

  /** The stack image, then the dynos' network (firewall, add-on relays, namespaces made ahead), made sure of once. */
  private ready(): Promise<DynoNetwork> {
    this.image ??= this.o.ensureImage().then(async () => {
      this.network = await DynoNetwork.open(this.o.docker, { scope: this.o.scope, image: this.o.image, routerPorts: this.o.routerPorts, addonServers: this.o.addonServers ?? [] });
      return this.network;
    }).catch((err: Error) => {
      this.image = undefined;
      throw err;
    });
    return this.image;
  }

  private output(r: Running, line: string): void {
    if (this.running.get(r.handle.id) !== r) return;
    for (const l of this.outputListeners) l({ id: r.handle.id, appId: r.handle.appId, name: r.handle.name, line });
  }

  /** Samples every running dyno's memory; reports those above their quota (R14). */
  private async checkMemory(): Promise<void> {
    for (const r of [...this.running.values()]) {
      if (r.stopping || r.attached) continue;
      const stats = await r.container.stats({ stream: false, 'one-shot': true }).catch(() => undefined);
      const m = stats?.memory_stats as { usage?: number; stats?: Record<string, number> } | undefined;
      if (!m?.usage) continue;
      const usedMb = Math.round((m.usage - (m.stats?.inactive_file ?? 0)) / (1024 * 1024));
      if (usedMb > r.quotaMb) {
        for (const l of this.memoryListeners) l({ id: r.handle.id, appId: r.handle.appId, name: r.handle.name, usedMb, quotaMb: r.quotaMb });
      }
    }
  }
}

/**
 * The slug's tar (gunzipped) with every entry owned by the dyno user (1000:1000), so the app may
 * write in /app as on Heroku (the engine keeps a tar's owners; the container has no CAP_CHOWN).
 */
function ownedByDyno(file: string): NodeJS.ReadableStream {
  return pipeline(createReadStream(file), createGunzip(), new TarOwner(DYNO_UID, DYNO_UID, 'dyno'), () => undefined);
}

const SIGNALS: Record<number, string> = { 1: 'SIGHUP', 2: 'SIGINT', 6: 'SIGABRT', 9: 'SIGKILL', 15: 'SIGTERM' };
function signalName(n: number): string | null {
  return SIGNALS[n] ?? null;
}
