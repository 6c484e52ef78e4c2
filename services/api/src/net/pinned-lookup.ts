import type { LookupAddress } from 'node:dns';
import { isIPv6 } from 'node:net';

/**
 * A `lookup` for node's net, tls, http and https connections that answers one address, the one
 * the address guard checked: a name resolving elsewhere a moment later cannot lead anywhere else.
 */
export function pinnedLookup(address: string): never {
  const family = isIPv6(address) ? 6 : 4;
  const lookup = (_host: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    if (options.all) callback(null, [{ address, family } satisfies LookupAddress]);
    else callback(null, address, family);
  };
  return lookup as never;
}
