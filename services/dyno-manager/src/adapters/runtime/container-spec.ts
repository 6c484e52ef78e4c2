import type Docker from 'dockerode';
import { envForTenant, NETNS_LABELS, type Netns } from '@paas/isolation';
import { limitsOf, R15_FACTOR } from '../../domain/dyno-size.js';
import type { DynoHandle, DynoSpec } from './driver.js';

/** $0 is the dyno name, $1 the command: sources the buildpacks' .profile.d scripts, then becomes the command. */
const launch = (shell: string) => `for f in "$HOME"/.profile.d/*.sh; do [ -f "$f" ] && . "$f"; done; exec ${shell} -c "$1"`;
/** The stack image's dyno user. */
export const DYNO_UID = 1000;
const MB = 1024 * 1024;

/** The labels every dyno container carries: who it is, so a later manager can adopt it. */
export const LABELS = {
  scope: 'paas.scope', appId: 'paas.app-id', app: 'paas.app', release: 'paas.release', type: 'paas.type', dyno: 'paas.dyno',
  id: 'paas.dyno-id', command: 'paas.command', port: 'paas.port', startedAt: 'paas.started-at', quota: 'paas.memory-quota-mb', attached: 'paas.attached',
  netns: NETNS_LABELS.netns, address: NETNS_LABELS.address,
} as const;
const L = LABELS;

/** What shapes every container of a manager. */
export interface ContainerSettings {
  readonly scope: string;
  readonly image: string;
  readonly memoryMb?: number;
}

/** A container name unique per dyno instance: <scope>.<app>.<id>. */
export function containerName(scope: string, spec: Pick<DynoSpec, 'appName' | 'id'>): string {
  return `${scope}.${spec.appName}.${spec.id}`.replace(/[^a-zA-Z0-9_.-]/g, '-');
}

/** Where a dyno's container lives on the tenant network: the namespace (with its address) it joins, and the gateway where the add-on relays listen. */
export interface DynoPlace {
  readonly gateway: string;
  readonly netns: Netns;
  /** The ports relayed at the gateway: config URLs on the host's loopback at these name the gateway instead. */
  readonly relayedPorts: readonly number[];
}

/**
 * The container of one dyno: the stack image (or a Docker build's), the command through the shell
 * after .profile.d, the dyno user, limits by size, no capabilities, a read-only root filesystem
 * with /app (a volume) and /tmp (tmpfs) writable, in a network namespace of its own on the tenant
 * network (an address of its own, nothing of the host but the router and its relays, no other container).
 */
export function containerOptions(spec: DynoSpec, c: ContainerSettings, place: DynoPlace, name: string, port: number, startedAt: number, attached: boolean): Docker.ContainerCreateOptions {
  const limits = limitsOf(spec.size ?? 'standard-1x', c.memoryMb);
  // A Docker build's image keeps its own WORKDIR and HOME, and may have no bash.
  const stack = !spec.image;
  const shell = stack ? 'bash' : '/bin/sh';
  const env = { ...envForTenant(spec.env, place.gateway, place.relayedPorts), PORT: String(port), DYNO: spec.name, PS: spec.name, ...(stack ? { HOME: '/app' } : {}), TINI_KILL_PROCESS_GROUP: '1' };
  const labels: Record<string, string> = {
    [L.scope]: c.scope, [L.appId]: spec.appId, [L.app]: spec.appName, [L.release]: String(spec.releaseVersion),
    [L.type]: spec.type, [L.dyno]: spec.name, [L.id]: spec.id, [L.command]: spec.command, [L.port]: String(port),
    [L.startedAt]: String(startedAt), [L.quota]: String(limits.memoryMb), [L.netns]: place.netns.id, [L.address]: place.netns.address,
    ...(attached ? { [L.attached]: '1' } : {}),
  };
  return {
    name,
    Image: spec.image ?? c.image,
    // A terminal gets its size before the command starts (a resize after start would race it).
    Cmd: [shell, '-c', `${attached && spec.tty ? `stty cols ${spec.tty.columns} rows ${spec.tty.rows} 2>/dev/null; ` : ''}${launch(shell)}`, spec.name, spec.command],
    ...(stack ? { WorkingDir: '/app' } : {}),
    User: `${DYNO_UID}:${DYNO_UID}`,
    Env: Object.entries(env).map(([k, v]) => `${k}=${v}`),
    Labels: labels,
    // A terminal only for an attached dyno that asked for one: its output is then one raw stream.
    Tty: attached && spec.tty !== undefined,
    OpenStdin: attached,
    StdinOnce: attached,
    AttachStdin: attached,
    AttachStdout: attached,
    AttachStderr: attached,
    Volumes: { '/app': {} },
    HostConfig: {
      // docker-init forwards signals to the command's process group (TINI_KILL_PROCESS_GROUP).
      Init: true,
      // Its own namespace on the tenant network, made ahead (see NetnsPool): never the host's.
      NetworkMode: `container:${place.netns.id}`,
      // The hard limit is where Heroku kills (R15); between the quota and it the log gets R14 lines.
      Memory: limits.memoryMb * R15_FACTOR * MB,
      MemorySwap: limits.memoryMb * R15_FACTOR * MB,
      PidsLimit: limits.pids,
      CapDrop: ['ALL'],
      SecurityOpt: ['no-new-privileges'],
      ReadonlyRootfs: true,
      Tmpfs: { '/tmp': 'rw,nosuid,nodev,mode=1777' },
      LogConfig: { Type: 'json-file', Config: { 'max-size': '10m', 'max-file': '1' } },
    },
  };
}

/** The dyno a container of ours runs, read back from its labels (adoption); null when they are not ours. */
export function handleFromLabels(labels: Readonly<Record<string, string>>, createdS: number): DynoHandle | null {
  const id = labels[L.id];
  const host = labels[L.address];
  if (!id || !labels[L.dyno] || !Number(labels[L.port]) || !host) return null;
  return {
    id, appId: labels[L.appId], appName: labels[L.app], name: labels[L.dyno], type: labels[L.type],
    releaseVersion: Number(labels[L.release]), command: labels[L.command], host, port: Number(labels[L.port]),
    pid: 0, startedAt: Number(labels[L.startedAt]) || createdS * 1000,
  };
}
