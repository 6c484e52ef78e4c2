import type { AddonAttached, AddonCreated, AddonDeprovisioned, AddonDetached, AddonProvisioned, DataOf, Envelope } from '@paas/contracts';
import type { Database, Kysely } from '@paas/db';

type Db = Kysely<Database>;

/** Applies an add-on event to the addons and addon_attachments tables (inside the append's transaction). */
export async function projectAddon(db: Db, e: Envelope, at: Date): Promise<void> {
  switch (e.type) {
    case 'AddonCreated': {
      const d = e.data as DataOf<typeof AddonCreated>;
      await db.insertInto('addons').values({
        id: d.addonId, app_id: e.appId, name: d.name, service: d.service, plan: d.plan, state: 'provisioning', url: null, reason: null, created_at: at, updated_at: at,
      }).execute();
      return;
    }
    case 'AddonProvisioned': {
      const d = e.data as DataOf<typeof AddonProvisioned>;
      await db.updateTable('addons').set({ state: 'provisioned', url: d.url, updated_at: at }).where('id', '=', d.addonId).execute();
      return;
    }
    case 'AddonDeprovisioned': {
      const d = e.data as DataOf<typeof AddonDeprovisioned>;
      await db.updateTable('addons').set({ state: 'deprovisioned', url: null, reason: d.reason, updated_at: at }).where('id', '=', d.addonId).execute();
      return;
    }
    case 'AddonAttached': {
      const d = e.data as DataOf<typeof AddonAttached>;
      await db.insertInto('addon_attachments').values({
        id: d.attachmentId, addon_id: d.addonId, app_id: e.appId, name: d.name, config_vars: JSON.stringify(d.configVars), created_at: at,
      }).execute();
      return;
    }
    case 'AddonDetached':
      await db.deleteFrom('addon_attachments').where('id', '=', (e.data as DataOf<typeof AddonDetached>).attachmentId).execute();
      return;
  }
}
