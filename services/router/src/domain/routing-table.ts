import type { AppRoute, DynoRoute } from '@paas/contracts';
import { appNameFromHost, hostWithoutPort } from './host.js';

/** One change to the route table, as the KV watch delivers it (route null = deleted). */
export type RouteTableChange =
  | { kind: 'app'; name: string; route: AppRoute | null }
  | { kind: 'dyno'; name: string; dynoId: string; route: DynoRoute | null };

/** Where a request for one app can go: the app and its web dynos that are up. */
export interface AppTarget {
  app: AppRoute;
  dynos: DynoRoute[];
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

  constructor(private readonly domain: string) {}

  /** Applies one change from the watch. */
  apply(change: RouteTableChange): void {
    if (change.kind === 'app') {
      for (const hostname of this.apps.get(change.name)?.domains ?? []) {
        if (this.hostnames.get(hostname) === change.name) this.hostnames.delete(hostname);
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
    const name = appNameFromHost(hostHeader, this.domain);
    if (name !== null) return this.lookup(name);
    if (!hostHeader || this.hostnames.size === 0) return undefined;
    const host = hostWithoutPort(hostHeader.trim()).toLowerCase().replace(/\.$/, '');
    const dot = host.indexOf('.');
    const owner = this.hostnames.get(host) ?? (dot > 0 ? this.hostnames.get(`*${host.slice(dot)}`) : undefined);
    return owner === undefined ? undefined : this.lookup(owner);
  }

  /** The app named `appName` with its up web dynos, or undefined when no such app is routed. */
  lookup(appName: string): AppTarget | undefined {
    const app = this.apps.get(appName);
    if (!app) return undefined;
    const all = [...(this.dynos.get(appName)?.values() ?? [])];
    const dynos = all.filter(servesWeb);
    return { app, dynos, crashed: all.filter((d) => d.state === 'crashed' && d.dyno.startsWith('web.')).length };
  }

  /** How many apps are routed (for the boot log line). */
  get appCount(): number {
    return this.apps.size;
  }
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
