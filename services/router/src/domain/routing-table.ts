import type { AppRoute, DynoRoute } from '@paas/contracts';
import { appNameIn, domainSuffix, normalHost } from './host.js';

/** One change to the route table, as the KV watch delivers it (route null = deleted). */
export type RouteTableChange =
  | { kind: 'app'; name: string; route: AppRoute | null }
  | { kind: 'dyno'; name: string; dynoId: string; route: DynoRoute | null };

/** Where a request for one app can go: the app and its web dynos that are up. */
export interface AppTarget {
  app: AppRoute;
  /** Shared by every request until the app's routes change: not to be modified. */
  dynos: readonly DynoRoute[];
  /** Web dynos that crashed (none up and some crashed: H10, not H14). */
  crashed: number;
}

/**
 * The router's in-memory copy of the route table. Dyno entries are kept even when their app entry
 * has not arrived yet (the watch delivers keys in any order); lookups need both.
 */
export class RoutingTable {
  private readonly apps = new Map<string, AppRoute>();
  private readonly dynos = new Map<string, Map<string, DynoRoute>>();
  /** Custom domains (`*.example.com` wildcards included) -> app name. */
  private readonly hostnames = new Map<string, string>();
  /** Each app's target as last computed, until a change to the app or its dynos (every request looks one up). */
  private readonly targets = new Map<string, AppTarget>();

  readonly suffix: string;
  /** Told after every change (the native data plane takes a new copy of what it serves). */
  private readonly listeners: (() => void)[] = [];

  constructor(domain: string) {
    this.suffix = domainSuffix(domain);
  }

  /** Calls `listener` after each change to the table. */
  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  /** Applies one change from the watch. */
  apply(change: RouteTableChange): void {
    this.applyChange(change);
    for (const listener of this.listeners) listener();
  }

  /**
   * What a data plane that serves only the usual case needs: the apps with up web dynos and not in
   * maintenance, and every custom hostname with its app's name (a hostname of an app left out
   * must still be recognised as taken, not matched by a wildcard).
   */
  servable(): ServableTable {
    const apps: ServableApp[] = [];
    for (const name of this.apps.keys()) {
      const target = this.lookup(name);
      if (target === undefined || target.app.maintenance || target.dynos.length === 0) continue;
      apps.push({
        id: target.app.appId, name,
        dynos: target.dynos.map((d) => ({ id: d.dynoId, name: d.dyno, host: d.host, port: d.port })),
      });
    }
    const hostnames: string[] = [];
    for (const [host, name] of this.hostnames) hostnames.push(host, name);
    return { suffix: this.suffix, apps, hostnames };
  }

  private applyChange(change: RouteTableChange): void {
    this.targets.delete(change.name);
    if (change.kind === 'app') {
      for (const hostname of this.apps.get(change.name)?.domains ?? []) {
        const key = hostname.toLowerCase();
        if (this.hostnames.get(key) === change.name) this.hostnames.delete(key);
      }
      if (change.route) {
        this.apps.set(change.name, change.route);
        for (const hostname of change.route.domains) this.hostnames.set(hostname.toLowerCase(), change.name);
      } else {
        this.apps.delete(change.name);
      }
      return;
    }
    const ofApp = this.dynos.get(change.name) ?? new Map<string, DynoRoute>();
    if (change.route) ofApp.set(change.dynoId, change.route);
    else ofApp.delete(change.dynoId);
    if (ofApp.size > 0) this.dynos.set(change.name, ofApp);
    else this.dynos.delete(change.name);
  }

  /**
   * The app a Host header leads to: `<app>.<domain>`, else a custom domain, else a wildcard domain
   * one label up (`*.example.com` takes `www.example.com`, not `a.b.example.com`, as on Heroku).
   */
  route(hostHeader: string | undefined): AppTarget | undefined {
    if (!hostHeader) return undefined;
    const host = normalHost(hostHeader);
    const name = appNameIn(host, this.suffix);
    if (name !== null) return this.lookup(name);
    if (this.hostnames.size === 0) return undefined;
    const dot = host.indexOf('.');
    const owner = this.hostnames.get(host) ?? (dot > 0 ? this.hostnames.get(`*${host.slice(dot)}`) : undefined);
    return owner === undefined ? undefined : this.lookup(owner);
  }

  /** The app named `appName` with its up web dynos, or undefined when no such app is routed. */
  lookup(appName: string): AppTarget | undefined {
    const cached = this.targets.get(appName);
    if (cached !== undefined) return cached;
    const app = this.apps.get(appName);
    if (!app) return undefined;
    const all = [...(this.dynos.get(appName)?.values() ?? [])];
    const dynos = all.filter(servesWeb);
    const target = { app, dynos, crashed: all.filter((d) => d.state === 'crashed' && d.dyno.startsWith('web.')).length };
    this.targets.set(appName, target);
    return target;
  }

  /** How many apps are routed (for the boot log line). */
  get appCount(): number {
    return this.apps.size;
  }
}

/** The route table as a data plane that serves only the usual case takes it (RoutingTable.servable). */
export interface ServableTable {
  /** `.<domain>`, lowercased. */
  suffix: string;
  apps: ServableApp[];
  /** Flat [hostname, app name, ...], wildcards as `*.example.com`. */
  hostnames: string[];
}

export interface ServableApp {
  id: string;
  name: string;
  dynos: { id: string; name: string; host: string; port: number }[];
}

/** Only web dynos that are up take HTTP traffic. */
function servesWeb(d: DynoRoute): boolean {
  return d.state === 'up' && d.dyno.startsWith('web.');
}

/**
 * A random dyno among `dynos` not yet tried for this request (Heroku's routers pick at random and
 * do not coordinate), or undefined when every one was tried. `random` returns [0, 1).
 */
export function chooseDyno(dynos: readonly DynoRoute[], tried: ReadonlySet<string>, random: () => number): DynoRoute | undefined {
  const left = dynos.filter((d) => !tried.has(d.dynoId));
  if (left.length === 0) return undefined;
  return left[Math.min(left.length - 1, Math.floor(random() * left.length))];
}
