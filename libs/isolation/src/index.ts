export { firewallScript, firewallRemovalScript, tenantNames, type FirewallPlan, type TenantKind } from './firewall.js';
export { addressOn, ensureTenantNetwork, removeTenantNetworks, type TenantNetwork } from './tenant-network.js';
export { envForTenant, tenantOpenPorts } from './tenant-env.js';
