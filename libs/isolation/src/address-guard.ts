import ipaddr from 'ipaddr.js';

/**
 * The SSRF guard of every connection the platform makes where a user said where to (linked
 * repositories, source tarballs, log drains, builds' requests through the egress proxy): it may
 * only lead to public unicast addresses, never to loopback, private, link-local (the cloud
 * metadata service), unique-local, unspecified, multicast or other special ranges, nor to the
 * platform's own listeners, unless the operator allows it (PAAS_REPO_ALLOWED_HOSTS,
 * PAAS_SOURCE_ALLOWED_HOSTS, PAAS_DRAIN_ALLOWED_HOSTS, PAAS_BUILD_ALLOWED_HOSTS). Pure: the
 * addresses come resolved.
 */

type Address = ipaddr.IPv4 | ipaddr.IPv6;

/** One allow-list entry: an exact host:port, or a range of addresses (any port). */
export type AllowEntry =
  | { readonly kind: 'hostport'; readonly host: string; readonly port: number }
  | { readonly kind: 'cidr'; readonly range: [Address, number] };

/** Where a repository URL leads: its host (lowercase, IPv6 without brackets) and port. */
export interface AddressTarget {
  readonly host: string;
  readonly port: number;
}

/** The platform's own listeners: ports (and port ranges, the dynos') on this machine's addresses. */
export interface OwnListeners {
  readonly ports: readonly number[];
  readonly portRanges: readonly (readonly [number, number])[];
  /** The addresses of this machine's interfaces (loopback and unspecified always count). */
  readonly localAddresses: readonly string[];
}

export type GuardVerdict = { readonly ok: true; readonly address: string } | { readonly ok: false; readonly reason: string };

/** What is being fetched, for the guard's messages: the field a user gave, the setting that allows it. */
export interface FetchSubject {
  /** The request field the URL came from: repo_url, source_blob.url. */
  readonly field: string;
  /** The operator's allow-list setting. */
  readonly env: string;
  /** What the platform never does, as a sentence's end: "fetch repositories from". */
  readonly never: string;
}

export const REPOSITORIES: FetchSubject = { field: 'repo_url', env: 'PAAS_REPO_ALLOWED_HOSTS', never: 'fetch repositories from' };
/** Source tarballs of the Build API and app setups (and the Deploy page's templates). */
export const SOURCES: FetchSubject = { field: 'source_blob.url', env: 'PAAS_SOURCE_ALLOWED_HOSTS', never: 'fetch sources from' };
/** Log drains: where the platform sends an app's logs. */
export const DRAINS: FetchSubject = { field: 'url', env: 'PAAS_DRAIN_ALLOWED_HOSTS', never: 'send logs to' };
/** Builds' requests through the builder's egress proxy (package registries). */
export const BUILD_EGRESS: FetchSubject = { field: 'a build request', env: 'PAAS_BUILD_ALLOWED_HOSTS', never: 'let builds reach' };

/**
 * Whether a tenant's request relayed by the platform (a build's, through the egress proxy) may go
 * to `addresses`: wherever the tenant could connect by itself (the outside world through the
 * engine's NAT, public or not), but not to this host (loopback, unspecified, any of its own
 * addresses) nor link-local addresses (metadata services), unless the operator allowed that exact
 * host:port or range. The proxy is a way to allowed internal places, not around the firewall.
 */
export function checkTenantEgress(target: AddressTarget, addresses: readonly string[], allow: readonly AllowEntry[], localAddresses: readonly string[], subject: FetchSubject = BUILD_EGRESS): GuardVerdict {
  const { field, env, never } = subject;
  return eachAddress(target, addresses, allow, subject, (a, allowed) => {
    const range = a.range();
    const thisHost = range === 'loopback' || range === 'unspecified' || range === 'linkLocal' || localAddresses.some((l) => sameAddress(l, a));
    if (!thisHost || allowed.exact || allowed.inCidr) return undefined;
    return `${field} to ${hostPort(target)} (${a.toString()}, ${range === 'linkLocal' ? describeRange(a, range) : 'this host'}) is refused: the platform does not ${never} itself. ` +
      `If it is meant to be reachable, an operator can allow it with ${env}=${hostPort(target)}`;
  });
}

const allowHelp = (env: string) => `${env} takes comma-separated host:port entries (git.internal:443, [fd00::5]:80) and CIDR ranges (10.1.0.0/16)`;

/** Parses an allow-list (PAAS_REPO_ALLOWED_HOSTS...); throws saying which entry is wrong and how to write it. */
export function parseAllowList(raw: string | undefined, env = REPOSITORIES.env): AllowEntry[] {
  const ALLOW_HELP = allowHelp(env);
  return (raw ?? '').split(',').map((e) => e.trim()).filter(Boolean).map((entry) => {
    if (entry.includes('/')) {
      try {
        return { kind: 'cidr', range: ipaddr.parseCIDR(entry) } as const;
      } catch {
        throw new Error(`${env} entry "${entry}" is not a CIDR range; ${ALLOW_HELP}`);
      }
    }
    if (ipaddr.isValid(entry)) {
      const a = ipaddr.parse(entry);
      return { kind: 'cidr', range: [a, a.kind() === 'ipv4' ? 32 : 128] } as const;
    }
    const m = /^(?:\[([0-9a-fA-F:.]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/.exec(entry);
    const port = Number(m?.[3]);
    if (!m || port < 1 || port > 65535) throw new Error(`${env} entry "${entry}" is neither host:port nor a CIDR range; ${ALLOW_HELP}`);
    return { kind: 'hostport', host: normalHost(m[1] ?? m[2]!), port };
  });
}

/** The host and port an http(s) repository URL leads to. */
export function urlTarget(url: URL): AddressTarget {
  const port = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
  return { host: normalHost(url.hostname.replace(/^\[|\]$/g, '')), port };
}

/**
 * Whether the platform may fetch from `target`, which resolved to `addresses` (all must pass: git
 * could use any of them); when it may, the address to pin the fetch to.
 */
export function checkAddresses(target: AddressTarget, addresses: readonly string[], allow: readonly AllowEntry[], own: OwnListeners, subject: FetchSubject = REPOSITORIES): GuardVerdict {
  const { field, env, never } = subject;
  return eachAddress(target, addresses, allow, subject, (a, allowed) => {
    if (isOwnListener(a, target.port, own) && !allowed.exact) {
      return `${field} ${hostPort(target)} is the platform's own listener (${a.toString()} port ${target.port}): the platform does not ${never} itself`;
    }
    const range = a.range();
    if (range === 'unicast' || allowed.exact || allowed.inCidr) return undefined;
    return `${field}'s host ${hostPort(target)} resolves to ${a.toString()}, ${describeRange(a, range)}: the platform does not ${never} internal addresses. ` +
      `If it is meant to be reachable, an operator can allow it with ${env}=${hostPort(target)} (comma-separated host:port or CIDR entries)`;
  });
}

/**
 * Judges every address `target` resolved to (all must pass: a client could use any of them) with
 * what the allow-list says of it; `judge` answers the reason for a refusal, or undefined. The
 * first address is the one to pin the connection to.
 */
function eachAddress(
  target: AddressTarget, addresses: readonly string[], allow: readonly AllowEntry[], subject: FetchSubject,
  judge: (a: Address, allowed: { exact: boolean; inCidr: boolean }) => string | undefined,
): GuardVerdict {
  const { field } = subject;
  if (addresses.length === 0) return { ok: false, reason: `${field}'s host ${target.host} does not resolve to any address` };
  for (const raw of addresses) {
    if (!ipaddr.isValid(raw)) return { ok: false, reason: `${field}'s host ${target.host} resolved to "${raw}", which is not an IP address` };
    const a = ipaddr.process(raw);
    const exact = allow.some((e) => e.kind === 'hostport' && e.port === target.port && (e.host === target.host || sameAddress(e.host, a)));
    const inCidr = allow.some((e) => e.kind === 'cidr' && e.range[0].kind() === a.kind() && a.match(e.range));
    const reason = judge(a, { exact, inCidr });
    if (reason) return { ok: false, reason };
  }
  return { ok: true, address: ipaddr.process(addresses[0]!).toString() };
}

/** The `host:port:address` that pins git's (libcurl's) name resolution to the checked address. */
export function curlResolveEntry(target: AddressTarget, address: string): string | null {
  if (ipaddr.isValid(target.host)) return null; // an IP literal is not resolved
  const a = ipaddr.parse(address);
  return `${target.host}:${target.port}:${a.kind() === 'ipv6' ? `[${a.toString()}]` : a.toString()}`;
}

function isOwnListener(a: Address, port: number, own: OwnListeners): boolean {
  const ownPort = own.ports.includes(port) || own.portRanges.some(([lo, hi]) => port >= lo && port <= hi);
  if (!ownPort) return false;
  const range = a.range();
  return range === 'loopback' || range === 'unspecified' || own.localAddresses.some((l) => sameAddress(l, a));
}

function sameAddress(text: string, a: Address): boolean {
  if (!ipaddr.isValid(text)) return false;
  const b = ipaddr.process(text);
  return b.kind() === a.kind() && b.toString() === a.toString();
}

function describeRange(a: Address, range: string): string {
  if (a.toString() === '169.254.169.254') return 'the link-local address of cloud metadata services';
  switch (range) {
    case 'loopback': return 'a loopback address';
    case 'private': return 'a private (RFC 1918) address';
    case 'uniqueLocal': return 'a unique-local (fc00::/7) address';
    case 'linkLocal': return 'a link-local address';
    case 'unspecified': return 'the unspecified address';
    case 'multicast': return 'a multicast address';
    case 'broadcast': return 'the broadcast address';
    case 'carrierGradeNat': return 'a shared (100.64.0.0/10) address';
    default: return `a special-purpose address (${range})`;
  }
}

function normalHost(host: string): string {
  const h = host.toLowerCase().replace(/\.$/, '');
  return ipaddr.isValid(h) ? ipaddr.process(h).toString() : h;
}

function hostPort(t: AddressTarget): string {
  return t.host.includes(':') ? `[${t.host}]:${t.port}` : `${t.host}:${t.port}`;
}
