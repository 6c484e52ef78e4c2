import { lookup } from 'node:dns/promises';
import type { AddressInfo } from 'node:net';
import { Inject, Injectable } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { invalid } from '@paas/contracts';
import type { ApiSettings } from '../config.js';
import {
  checkAddresses, curlResolveEntry, DRAINS, localAddresses, platformPortsFromEnv, REPOSITORIES, resolveAll, urlTarget, SOURCES, type AllowEntry, type FetchSubject, type OwnListeners, type AddressTarget,
} from '@paas/isolation';
import { GrpcServer } from '../grpc/grpc-server.js';
import { RendezvousListener } from '../rendezvous/rendezvous-listener.js';
import { HttpsListener } from '../tls/https-listener.js';
import { SETTINGS } from '../tokens.js';

/** Where a fetch may go: the target, the checked address, and libcurl's pin of the name to it. */
export interface CheckedAddress {
  readonly target: AddressTarget;
  readonly address: string;
  readonly resolve: string | null;
}

const LOOKUP_TIMEOUT_MS = 10_000;

/** Where a log drain leads, as the address guard takes it. */
export function drainAddressTarget(t: { host: string; port: number }): AddressTarget {
  return { host: t.host.replace(/^\[|\]$/g, '').toLowerCase(), port: t.port };
}

/** The guard's adapter: resolves a user-given URL's host and checks every address it has against the guard. */
@Injectable()
export class AddressGuard {
  constructor(
    @Inject(SETTINGS) private readonly settings: ApiSettings,
    private readonly http: HttpAdapterHost,
    private readonly https: HttpsListener,
    private readonly rendezvous: RendezvousListener,
    private readonly grpc: GrpcServer,
  ) {}

  /** The address to fetch `url` from; invalid_params (422) with the reason when it is refused. */
  check(url: URL): Promise<CheckedAddress> {
    return this.checkFor(url, REPOSITORIES, this.settings.addresses.repos);
  }

  /** The same for a source tarball's URL (Build API, app setups, Deploy page templates). */
  checkSource(url: URL): Promise<CheckedAddress> {
    return this.checkFor(url, SOURCES, this.settings.addresses.sources);
  }

  /** The address a log drain's host:port may be reached at (PAAS_DRAIN_ALLOWED_HOSTS), checked again at each connection. */
  checkDrain(url: URL, target: AddressTarget): Promise<CheckedAddress> {
    return this.checkFor(url, DRAINS, this.settings.addresses.drains, target);
  }

  /** Whether `url` names this api itself (its HTTP or HTTPS port on a local address), e.g. its own /sources get_url. */
  async isOwnApi(url: URL): Promise<boolean> {
    const target = urlTarget(url);
    const apiPorts = [this.http.httpAdapter?.getHttpServer()?.address() as AddressInfo | null, safeUrl(this.https.url)]
      .map((a) => (a instanceof URL ? Number(a.port) : a?.port)).filter((p): p is number => !!p);
    if (!apiPorts.includes(target.port)) return false;
    const found = await lookup(target.host, { all: true, verbatim: true }).catch(() => []);
    const local = new Set(['127.0.0.1', '::1', '0.0.0.0', '::', ...localAddresses()]);
    return found.length > 0 && found.every((a) => local.has(a.address) || a.address.startsWith('127.'));
  }

  private async checkFor(url: URL, subject: FetchSubject, allowed: readonly AllowEntry[], target = urlTarget(url)): Promise<CheckedAddress> {
    const found = await resolveAll(target.host, LOOKUP_TIMEOUT_MS);
    if ('failed' in found) throw invalid(`${subject.field}'s host ${target.host} cannot be resolved (${found.failed}); check the URL.`);
    const verdict = checkAddresses(target, found.addresses, allowed, this.ownListeners(), subject);
    if (!verdict.ok) throw invalid(`${verdict.reason}.`);
    return { target, address: verdict.address, resolve: curlResolveEntry(target, verdict.address) };
  }

  /** Every port this platform (and the services it relies on) listens on, as far as the api knows. */
  private ownListeners(): OwnListeners {
    const s = this.settings;
    const ports = [s.port, s.tlsPort, s.grpcPort, s.rendezvousPort, s.registryPort, s.routerPort, ...platformPortsFromEnv()];
    const bound = [
      () => (this.http.httpAdapter?.getHttpServer()?.address() as AddressInfo | null)?.port,
      () => Number(new URL(this.https.url).port),
      () => this.rendezvous.port,
      () => Number(this.grpc.address.split(':').pop()),
    ];
    for (const port of bound) {
      try {
        const p = port();
        if (p) ports.push(p);
      } catch {
        // not listening (yet): nothing to protect there
      }
    }
    return { ports: ports.filter((p) => p > 0), portRanges: [s.addresses.dynoPorts], localAddresses: localAddresses() };
  }
}

function safeUrl(u: string): URL | undefined {
  try {
    return new URL(u);
  } catch {
    return undefined;
  }
}
