/**
 * Which app a Host header names: `<app>.<domain>` with an optional port, any letter case and an
 * optional trailing dot. Anything else (another domain, a deeper subdomain, a bare IP) is no app.
 */
export function appNameFromHost(hostHeader: string | undefined, domain: string): string | null {
  return hostHeader ? appNameIn(normalHost(hostHeader), domainSuffix(domain)) : null;
}

/** `.<domain>`, lowercased: what appNameIn looks for. */
export function domainSuffix(domain: string): string {
  return `.${domain.toLowerCase()}`;
}

/** The app a normalHost names under a domainSuffix, or null. */
export function appNameIn(host: string, suffix: string): string | null {
  if (!host.endsWith(suffix)) return null;
  const name = host.slice(0, -suffix.length);
  return name !== '' && !name.includes('.') ? name : null;
}

/** A Host header as a hostname to compare: without its port, lowercased, without a trailing dot. */
export function normalHost(hostHeader: string): string {
  const host = hostWithoutPort(hostHeader.trim()).toLowerCase();
  return host.endsWith('.') ? host.slice(0, -1) : host;
}

/** The host part of a Host header: `a.b:8080` -> `a.b`, `[::1]:80` -> `[::1]`. */
export function hostWithoutPort(hostHeader: string): string {
  if (hostHeader.startsWith('[')) {
    const end = hostHeader.indexOf(']');
    return end < 0 ? hostHeader : hostHeader.slice(0, end + 1);
  }
  const colon = hostHeader.indexOf(':');
  return colon < 0 ? hostHeader : hostHeader.slice(0, colon);
}

/** The client's address as logged and forwarded: IPv4-mapped IPv6 (`::ffff:1.2.3.4`) shown as IPv4. */
export function clientAddress(remoteAddress: string | undefined): string {
  if (!remoteAddress) return 'unknown';
  return remoteAddress.startsWith('::ffff:') && remoteAddress.includes('.') ? remoteAddress.slice(7) : remoteAddress;
}
