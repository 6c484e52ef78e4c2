import { Inject, Injectable } from '@nestjs/common';
import { notFound, type AddonAttachmentInfo, type AddonInfo, type AddonState } from '@paas/contracts';
import { sql, type Database, type Kysely } from '@paas/db';
import { serviceOf, type ServiceSpec } from '../domain/addon-catalogue.js';
import { DB } from '../tokens.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** An add-on row with what the service needs besides its presentation: its credentials. */
export interface AddonRow {
  readonly info: AddonInfo;
  readonly url: string | null;
}

/** Queries over the addons and addon_attachments projections, in the contracts' shapes. */
@Injectable()
export class AddonReadModel {
  private catalogue: readonly ServiceSpec[] = [];

  constructor(@Inject(DB) private readonly db: Kysely<Database>) {}

  /** The catalogue add-ons are presented with (service and plan ids). */
  useCatalogue(catalogue: readonly ServiceSpec[]): void {
    this.catalogue = catalogue;
  }

  /** An add-on by id or name, in any state; not_found otherwise. */
  async addon(ref: string): Promise<AddonRow> {
    const row = await this.addonQuery().where(UUID.test(ref) ? 'addons.id' : 'addons.name', '=', UUID.test(ref) ? ref.toLowerCase() : ref.trim()).executeTakeFirst();
    if (!row) throw notFound(`Couldn't find that add-on (${ref}).`);
    return { info: await this.present(row), url: row.url };
  }

  async nameTaken(name: string): Promise<boolean> {
    return (await this.db.selectFrom('addons').select('id').where('name', '=', name).executeTakeFirst()) !== undefined;
  }

  /** The live add-ons an app owns or has attached, oldest first. */
  async ofApp(appId: string): Promise<AddonInfo[]> {
    const attached = this.db.selectFrom('addon_attachments').select('addon_id').where('app_id', '=', appId);
    const rows = await this.addonQuery().where('addons.state', '!=', 'deprovisioned')
      .where((eb) => eb.or([eb('addons.app_id', '=', appId), eb('addons.id', 'in', attached)]))
      .orderBy('addons.created_at').orderBy('addons.name').execute();
    return Promise.all(rows.map((r) => this.present(r)));
  }

  /** Add-ons left in provisioning since before `before`: a provisioning that did not finish. */
  async stuck(before: Date): Promise<{ id: string; appId: string }[]> {
    const rows = await this.db.selectFrom('addons').select(['id', 'app_id']).where('state', '=', 'provisioning').where('updated_at', '<', before).execute();
    return rows.map((r) => ({ id: r.id, appId: r.app_id }));
  }

  /** Attachments, of one app, of one add-on, or all; oldest first. */
  async attachments(filter: { appId?: string; addonId?: string } = {}): Promise<AddonAttachmentInfo[]> {
    let q = this.attachmentQuery();
    if (filter.appId) q = q.where('addon_attachments.app_id', '=', filter.appId);
    if (filter.addonId) q = q.where('addon_attachments.addon_id', '=', filter.addonId);
    const rows = await q.orderBy('addon_attachments.created_at').orderBy('addon_attachments.name').execute();
    return rows.map(presentAttachment);
  }

  async attachment(id: string): Promise<AddonAttachmentInfo> {
    const row = UUID.test(id) ? await this.attachmentQuery().where('addon_attachments.id', '=', id.toLowerCase()).executeTakeFirst() : undefined;
    if (!row) throw notFound(`Couldn't find that add-on attachment (${id}).`);
    return presentAttachment(row);
  }

  private addonQuery() {
    return this.db.selectFrom('addons').innerJoin('apps', 'apps.id', 'addons.app_id')
      .select(['addons.id', 'addons.name', 'addons.service', 'addons.plan', 'addons.state', 'addons.url', 'addons.reason',
        'addons.created_at', 'addons.updated_at', 'addons.app_id', 'apps.name as app_name']);
  }

  private attachmentQuery() {
    return this.db.selectFrom('addon_attachments')
      .innerJoin('apps', 'apps.id', 'addon_attachments.app_id')
      .innerJoin('addons', 'addons.id', 'addon_attachments.addon_id')
      .innerJoin('apps as owner', 'owner.id', 'addons.app_id')
      .select(['addon_attachments.id', 'addon_attachments.name', 'addon_attachments.config_vars', 'addon_attachments.created_at',
        'apps.id as app_id', 'apps.name as app_name', 'addons.id as addon_id', 'addons.name as addon_name',
        'owner.id as owner_id', 'owner.name as owner_name']);
  }

  private async present(r: AddonQueryRow): Promise<AddonInfo> {
    const service = serviceOf(this.catalogue, r.service);
    const plan = service.plans.find((p) => p.name === r.plan);
    const vars = await this.db.selectFrom('addon_attachments').select(sql<string[]>`config_vars`.as('vars'))
      .where('addon_id', '=', r.id).where('app_id', '=', r.app_id).execute();
    return {
      id: r.id, name: r.name, app: { id: r.app_id, name: r.app_name },
      service: { id: service.id, name: service.name },
      plan: { id: plan?.id ?? service.id, name: `${service.name}:${r.plan}` },
      state: r.state as AddonState, configVars: vars.flatMap((v) => v.vars), provisionMessage: r.reason,
      createdAt: r.created_at.toISOString(), updatedAt: r.updated_at.toISOString(),
    };
  }
}

interface AddonQueryRow {
  id: string; name: string; service: string; plan: string; state: string; url: string | null; reason: string | null;
  created_at: Date; updated_at: Date; app_id: string; app_name: string;
}

interface AttachmentQueryRow {
  id: string; name: string; config_vars: string[]; created_at: Date; app_id: string; app_name: string;
  addon_id: string; addon_name: string; owner_id: string; owner_name: string;
}

function presentAttachment(r: AttachmentQueryRow): AddonAttachmentInfo {
  const at = r.created_at.toISOString();
  return {
    id: r.id, name: r.name, app: { id: r.app_id, name: r.app_name },
    addon: { id: r.addon_id, name: r.addon_name, app: { id: r.owner_id, name: r.owner_name } },
    configVars: r.config_vars, createdAt: at, updatedAt: at,
  };
}
