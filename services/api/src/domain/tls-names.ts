import { isIP } from 'node:net';

/** The subject alternative names of a server certificate, split the way X.509 stores them. */
export interface SanList {
  dns: string[];
  ips: string[];
}

/** What start-up knows about the server certificate already on disk. */
export interface ExistingServerCert {
  notAfter: Date;
  /** Its DNS and IP SANs. */
  names: string[];
  /** False when the platform CA changed since it was signed (it would not verify any more). */
  signedByCurrentCa: boolean;
}

export type CertDecision = { regenerate: false } | { regenerate: true; reason: string };

/** How close to expiry a server certificate gets replaced at start. */
export const RENEW_BEFORE_MS = 30 * 24 * 3600 * 1000;

const DNS_NAME = /^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;

/** Parses PAAS_TLS_HOSTNAMES (comma separated IPs and DNS names); throws a readable error on a bad entry. */
export function parseTlsHostnames(raw: string): string[] {
  const names = raw.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (names.length === 0) throw new Error(`PAAS_TLS_HOSTNAMES="${raw}" names no host; give e.g. "127.0.0.1,localhost,paas.example.com"`);
  const out: string[] = [];
  for (const name of names) {
    const normal = isIP(name) ? name : name.toLowerCase();
    if (!isIP(normal) && !DNS_NAME.test(normal)) {
      throw new Error(`PAAS_TLS_HOSTNAMES: "${name}" is neither an IP address nor a DNS name; fix that entry`);
    }
    if (!out.includes(normal)) out.push(normal);
  }
  return out;
}

/** Splits host names into IP SANs and DNS SANs (an IP written as a DNS SAN would not match in clients). */
export function sanList(hostnames: readonly string[]): SanList {
  return {
    ips: hostnames.filter((h) => isIP(h) !== 0),
    dns: hostnames.filter((h) => isIP(h) === 0),
  };
}

/** True when two name lists hold the same names, whatever the order or the case of DNS names. */
export function sameNames(a: readonly string[], b: readonly string[]): boolean {
  const norm = (l: readonly string[]) => [...new Set(l.map((n) => n.toLowerCase()))].sort().join(',');
  return norm(a) === norm(b);
}

/** Decides at start whether the server certificate must be made again, and says why. */
export function serverCertDecision(existing: ExistingServerCert | undefined, wanted: readonly string[], now: Date): CertDecision {
  if (!existing) return { regenerate: true, reason: 'there is no server certificate yet' };
  if (!existing.signedByCurrentCa) return { regenerate: true, reason: 'it was signed by another platform CA' };
  if (existing.notAfter.getTime() - now.getTime() < RENEW_BEFORE_MS) {
    return { regenerate: true, reason: `it expires ${existing.notAfter.toISOString()} (within 30 days)` };
  }
  if (!sameNames(existing.names, wanted)) {
    return { regenerate: true, reason: `its names (${existing.names.join(',')}) differ from PAAS_TLS_HOSTNAMES (${wanted.join(',')})` };
  }
  return { regenerate: false };
}
