export { firewallScript, firewallRemovalScript, tenantNames, type FirewallPlan, type OpenPorts, type TenantKind } from './firewall.js';
export { addressOn, ensureTenantNetwork, removeTenantNetworks, type TenantNetwork } from './tenant-network.js';
export { envForTenant, loopbackAddonServers, routerPorts } from './tenant-env.js';
export { AddonRelay, type RelayTarget } from './addon-relay.js';
export { redisAuthAccepted, redisFirstCommand, type GateVerdict } from './redis-gate.js';
export { appUid, canSwitchUsers, DEFAULT_APP_USERS, type AppUsers } from './app-users.js';
export { closeDataDir } from './tenant-dirs.js';
export { tenantCommand, type ProcessLimits } from './tenant-command.js';
export {
  BUILD_EGRESS, checkAddresses, checkTenantEgress, curlResolveEntry, DRAINS, parseAllowList, REPOSITORIES, SOURCES, urlTarget,
  type AddressTarget, type AllowEntry, type FetchSubject, type GuardVerdict, type OwnListeners,
} from './address-guard.js';
export { localAddresses, platformListenersFromEnv, platformPortsFromEnv } from './platform-listeners.js';
export { resolveAll } from './resolve.js';
export { NETNS_LABELS, NetnsPool, removeIdleNetns, type Netns, type NetnsPoolOptions } from './netns-pool.js';
