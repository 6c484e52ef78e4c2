import { createHash } from 'node:crypto';

/**
 * What a tenant network may reach on the host: nothing but the listed TCP ports, which answer
 * only with credentials: the platform's own servers on this network's gateway (add-on relays, the
 * builds' proxy), and the router's way in on any of the host's addresses. Replies to the host's
 * own connections (the router to a dyno) pass; everything else from the network to the host is
 * dropped (another network's gateway too: another platform's relays there are not this one's),
 * and so is traffic between two containers of the network and to link-local addresses (cloud
 * metadata).
 */
export interface FirewallPlan {
  /** The nft table of this platform (one per scope), replaced whole each time. */
  readonly table: string;
  /** The Linux bridge of the tenant network. */
  readonly bridge: string;
  /** The network's gateway: the host's address on it. */
  readonly gateway: string;
  /** TCP ports tenants may open connections to at the gateway only. */
  readonly gatewayPorts: readonly number[];
  /** TCP ports tenants may open connections to at any address of the host. */
  readonly hostPorts: readonly number[];
}

/** Which host ports a tenant network opens, and where. */
export type OpenPorts = Pick<FirewallPlan, 'gatewayPorts' | 'hostPorts'>;

/** The two tenant networks of a platform: dynos' and builds' (the same rules; builds also reach the builder's egress proxy). */
export type TenantKind = 'dynos' | 'builds';

/** Names derived from a platform scope (PAAS_NAMESPACE): a network, its bridge (15 characters at most) and its nft table. */
export function tenantNames(scope: string, kind: TenantKind): { network: string; bridge: string; table: string } {
  const h = createHash('sha256').update(scope).digest('hex').slice(0, 8);
  return { network: `${scope}-${kind}`, bridge: `paas${kind[0]}-${h}`, table: `paas_${kind}_${h}` };
}

/**
 * The nft script that installs the plan atomically: it declares the table (so the delete never
 * fails), deletes it, and writes it anew in one transaction. Its chains run just before the
 * usual filter priority and only ever drop, so they add to whatever else filters the host.
 */
export function firewallScript(p: FirewallPlan): string {
  const clean = (ports: readonly number[]) => [...new Set(ports)].filter((n) => Number.isInteger(n) && n > 0 && n < 65536).sort((a, b) => a - b);
  const atGateway = clean(p.gatewayPorts);
  const anywhere = clean(p.hostPorts);
  const br = JSON.stringify(p.bridge);
  return [
    `table inet ${p.table}`,
    `delete table inet ${p.table}`,
    `table inet ${p.table} {`,
    '  chain input {',
    '    type filter hook input priority filter - 5; policy accept;',
    `    iifname ${br} ct state established,related accept`,
    ...(atGateway.length ? [`    iifname ${br} ip daddr ${p.gateway} tcp dport { ${atGateway.join(', ')} } accept`] : []),
    ...(anywhere.length ? [`    iifname ${br} tcp dport { ${anywhere.join(', ')} } accept`] : []),
    `    iifname ${br} drop`,
    '  }',
    '  chain forward {',
    '    type filter hook forward priority filter - 5; policy accept;',
    `    iifname ${br} oifname ${br} drop`,
    `    iifname ${br} ip daddr 169.254.0.0/16 drop`,
    '  }',
    '}',
    '',
  ].join('\n');
}

/** The nft script that removes the table (declared first, so it never fails when absent). */
export function firewallRemovalScript(table: string): string {
  return `table inet ${table}\ndelete table inet ${table}\n`;
}
