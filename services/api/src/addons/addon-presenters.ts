import type { AddonAttachmentInfo, AddonInfo, AddonPlanInfo, AddonServiceInfo } from '@paas/contracts';

/** Add-ons in Platform API v3 shapes. Self-hosted resources cost nothing: every price is free. */

const FREE = { cents: 0, contract: false, unit: 'month' } as const;
/** The catalogue ships with the platform: its entries are as old as the epoch says. */
const CATALOGUE_DATE = '2026-01-01T00:00:00Z';

function seconds(iso: string): string {
  return iso.replace(/\.\d+Z$/, 'Z');
}

export function presentAddonService(s: AddonServiceInfo) {
  return {
    cli_plugin_name: null, created_at: CATALOGUE_DATE, human_name: s.humanName, id: s.id, name: s.name, state: 'ga',
    supports_multiple_installations: true, supports_sharing: true, updated_at: CATALOGUE_DATE,
  };
}

export function presentPlan(s: AddonServiceInfo, p: AddonPlanInfo) {
  return {
    addon_service: { id: s.id, name: s.name }, compliance: null, created_at: CATALOGUE_DATE, default: p.default,
    description: `${p.description}: ${describeLimits(p.limits)}`, human_name: p.humanName, id: p.id,
    installable_inside_private_network: false, installable_outside_private_network: true, name: p.name,
    price: { ...FREE, cents: p.priceCentsPerMonth }, space_default: false, state: 'public', updated_at: CATALOGUE_DATE, visible: true,
    limits: p.limits,
  };
}

/** "20 connections, 1 GB storage". */
export function describeLimits(limits: Readonly<Record<string, number>>): string {
  const words: Record<string, (n: number) => string> = {
    connections: (n) => `${n} connections`, storageGb: (n) => `${n} GB storage`, tables: (n) => `${n} tables`, memoryMb: (n) => `${n} MB memory`,
  };
  return Object.entries(limits).map(([k, n]) => (words[k] ?? ((v: number) => `${k} ${v}`))(n)).join(', ');
}

/** An add-on; `catalogue` expands its service and plan as `Accept-Expansion: addon_service,plan` asks. */
export function presentAddon(a: AddonInfo, catalogue: readonly AddonServiceInfo[]) {
  const service = catalogue.find((s) => s.id === a.service.id);
  const plan = service?.plans.find((p) => p.id === a.plan.id);
  return {
    actions: [],
    addon_service: { id: a.service.id, name: a.service.name, human_name: service?.humanName ?? a.service.name },
    app: a.app,
    billing_entity: { id: a.app.id, name: a.app.name, type: 'app' },
    billed_price: FREE,
    config_vars: a.configVars,
    created_at: seconds(a.createdAt),
    id: a.id,
    name: a.name,
    plan: { id: a.plan.id, name: a.plan.name, human_name: plan?.humanName ?? a.plan.name, price: FREE },
    provider_id: a.id,
    provision_message: a.provisionMessage,
    state: a.state,
    updated_at: seconds(a.updatedAt),
    web_url: null,
  };
}

export function presentAttachment(t: AddonAttachmentInfo) {
  return {
    addon: t.addon, app: t.app, config_vars: t.configVars, created_at: seconds(t.createdAt), id: t.id, log_input_url: null,
    name: t.name, namespace: null, updated_at: seconds(t.updatedAt), web_url: null,
  };
}
