export { firewallScript, firewallRemovalScript, tenantNames, type FirewallPlan } from './firewall.js';
export { addressOn, ensureTenantNetwork, removeTenantNetwork, type TenantNetwork } from './tenant-network.js';
export { envForTenant, tenantOpenPorts } from './tenant-env.js';
