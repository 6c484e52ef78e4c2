import type { ColumnType, Generated, JSONColumnType } from 'kysely';

/** The append-only event log: one row per event, ordered globally by position. */
export interface EventsTable {
  position: Generated<string>;
  stream_id: string;
  stream_version: number;
  event_id: string;
  type: string;
  data: JSONColumnType<Record<string, unknown>>;
  metadata: JSONColumnType<Record<string, unknown>>;
  recorded_at: ColumnType<Date, never, never>;
}

/** Events committed but not yet published to NATS; rows leave once JetStream acknowledged them. */
export interface OutboxTable {
  position: string;
  attempts: ColumnType<number, never, number>;
  last_error: string | null;
}

export interface AppsTable {
  id: string;
  name: string;
  stack: string;
  region: string;
  owner: string;
  created_at: Date;
  updated_at: Date;
  release_version: number;
  slug_size: number | null;
  stream_version: number;
  /** While true the router answers every request with H80 and the maintenance page. */
  maintenance: boolean;
}

export interface ReleasesTable {
  id: string;
  app_id: string;
  version: number;
  description: string;
  created_by: string;
  created_at: Date;
  slug: JSONColumnType<Record<string, unknown> | null>;
  config: JSONColumnType<Record<string, string>>;
  build_id: string | null;
  /** pending | succeeded | failed (see ReleaseStatusChanged). */
  status: ColumnType<string, string | undefined, string>;
}

export interface ConfigVarsTable {
  app_id: string;
  name: string;
  value: string;
}

export interface FormationTable {
  app_id: string;
  type: string;
  quantity: number;
  size: string;
  command: string;
  updated_at: Date;
}

/** Custom domains of live apps; a hostname belongs to one app at a time. */
export interface DomainsTable {
  hostname: string;
  app_id: string;
  created_at: Date;
}

/** User accounts; the email (lowercase) is unique. */
export interface AccountsTable {
  id: string;
  email: string;
  password_hash: string;
  created_at: Date;
}

/** API tokens by the sha256 (hex) of their value; the value itself is never stored. */
export interface ApiTokensTable {
  id: string;
  account_id: string;
  token_hash: string;
  description: string;
  created_at: Date;
  expires_at: Date | null;
  revoked_at: Date | null;
}

/** Collaborators of live apps, by account email (the owner is apps.owner, not a row here). */
export interface CollaboratorsTable {
  app_id: string;
  email: string;
  created_at: Date;
}

/** Log drains of live apps (LogDrainAdded/LogDrainRemoved); a url once per app. */
export interface LogDrainsTable {
  id: string;
  app_id: string;
  url: string;
  token: string;
  created_at: Date;
  updated_at: Date;
}

/** Add-ons by the app that owns them, in every state (deprovisioned ones keep the reason). */
export interface AddonsTable {
  id: string;
  app_id: string;
  name: string;
  service: string;
  plan: string;
  state: string;
  url: string | null;
  reason: string | null;
  created_at: Date;
  updated_at: Date;
}

/** Attachments of add-ons to apps (the owner or another app); a name once per app. */
export interface AddonAttachmentsTable {
  id: string;
  addon_id: string;
  app_id: string;
  name: string;
  config_vars: JSONColumnType<string[]>;
  created_at: Date;
}

/** App setups (POST /app-setups): pending, then succeeded or failed with the reason. */
export interface AppSetupsTable {
  id: string;
  app_id: string;
  app_name: string;
  status: string;
  failure_message: string | null;
  /** jsonb, written as JSON text. */
  build: ColumnType<{ id: string; status: 'pending' | 'succeeded' | 'failed' } | null, string | null, string>;
  postdeploy: ColumnType<{ output: string; exitCode: number } | null, string | null, string>;
  resolved_success_url: string | null;
  created_by: string;
  source_url: string;
  created_at: Date;
  updated_at: Date;
}

/** An app's link to a git repository and branch (push webhooks are signed with `secret`). */
export interface RepoLinksTable {
  app_id: string;
  repo_url: string;
  branch: string;
  auto_deploy: boolean;
  secret: string | null;
  created_by: string;
  created_at: Date;
  updated_at: Date;
}

export interface Database {
  events: EventsTable;
  outbox: OutboxTable;
  apps: AppsTable;
  releases: ReleasesTable;
  config_vars: ConfigVarsTable;
  formation: FormationTable;
  domains: DomainsTable;
  accounts: AccountsTable;
  api_tokens: ApiTokensTable;
  collaborators: CollaboratorsTable;
  log_drains: LogDrainsTable;
  addons: AddonsTable;
  addon_attachments: AddonAttachmentsTable;
  app_setups: AppSetupsTable;
  repo_links: RepoLinksTable;
}
