import { sql, type Kysely, type Migration } from 'kysely';

/** Schema changes in order; the migrator runs the missing ones at boot. */
export const migrations: Record<string, Migration> = {
  '0001_event_log': {
    async up(db: Kysely<any>) {
      await db.schema.createTable('events')
        .addColumn('position', 'bigserial', (c) => c.primaryKey())
        .addColumn('stream_id', 'text', (c) => c.notNull())
        .addColumn('stream_version', 'integer', (c) => c.notNull())
        .addColumn('event_id', 'uuid', (c) => c.notNull().unique())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('data', 'jsonb', (c) => c.notNull())
        .addColumn('metadata', 'jsonb', (c) => c.notNull())
        .addColumn('recorded_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .addUniqueConstraint('events_stream_version_key', ['stream_id', 'stream_version'])
        .execute();
      await db.schema.createTable('outbox')
        .addColumn('position', 'bigint', (c) => c.primaryKey().references('events.position'))
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('last_error', 'text')
        .execute();
    },
  },
  '0002_projections': {
    async up(db: Kysely<any>) {
      await db.schema.createTable('apps')
        .addColumn('id', 'uuid', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull().unique())
        .addColumn('stack', 'text', (c) => c.notNull())
        .addColumn('region', 'text', (c) => c.notNull())
        .addColumn('owner', 'text', (c) => c.notNull())
        .addColumn('created_at', 'timestamptz', (c) => c.notNull())
        .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
        .addColumn('release_version', 'integer', (c) => c.notNull())
        .addColumn('slug_size', 'bigint')
        .addColumn('stream_version', 'integer', (c) => c.notNull())
        .execute();
      await db.schema.createTable('releases')
        .addColumn('id', 'uuid', (c) => c.primaryKey())
        .addColumn('app_id', 'uuid', (c) => c.notNull().references('apps.id').onDelete('cascade'))
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('description', 'text', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('created_at', 'timestamptz', (c) => c.notNull())
        .addColumn('slug', 'jsonb')
        .addColumn('config', 'jsonb', (c) => c.notNull())
        .addColumn('build_id', 'uuid')
        .addUniqueConstraint('releases_app_version_key', ['app_id', 'version'])
        .execute();
      await db.schema.createTable('config_vars')
        .addColumn('app_id', 'uuid', (c) => c.notNull().references('apps.id').onDelete('cascade'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('value', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('config_vars_pkey', ['app_id', 'name'])
        .execute();
      await db.schema.createTable('formation')
        .addColumn('app_id', 'uuid', (c) => c.notNull().references('apps.id').onDelete('cascade'))
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('quantity', 'integer', (c) => c.notNull())
        .addColumn('size', 'text', (c) => c.notNull())
        .addColumn('command', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
        .addPrimaryKeyConstraint('formation_pkey', ['app_id', 'type'])
        .execute();
    },
  },
  '0003_domains': {
    async up(db: Kysely<any>) {
      // The primary key is what keeps a hostname on one app at a time, across every app.
      await db.schema.createTable('domains')
        .addColumn('hostname', 'text', (c) => c.notNull())
        .addColumn('app_id', 'uuid', (c) => c.notNull().references('apps.id').onDelete('cascade'))
        .addColumn('created_at', 'timestamptz', (c) => c.notNull())
        .addPrimaryKeyConstraint('domains_pkey', ['hostname'])
        .execute();
      await db.schema.createIndex('domains_app_id_idx').on('domains').column('app_id').execute();
    },
  },
  '0004_accounts': {
    async up(db: Kysely<any>) {
      await db.schema.createTable('accounts')
        .addColumn('id', 'uuid', (c) => c.primaryKey())
        .addColumn('email', 'text', (c) => c.notNull())
        .addColumn('password_hash', 'text', (c) => c.notNull())
        .addColumn('created_at', 'timestamptz', (c) => c.notNull())
        // The unique email is what turns a second CreateAccount for it into a conflict.
        .addUniqueConstraint('accounts_email_key', ['email'])
        .execute();
      await db.schema.createTable('api_tokens')
        .addColumn('id', 'uuid', (c) => c.primaryKey())
        .addColumn('account_id', 'uuid', (c) => c.notNull().references('accounts.id'))
        .addColumn('token_hash', 'text', (c) => c.notNull().unique())
        .addColumn('description', 'text', (c) => c.notNull())
        .addColumn('created_at', 'timestamptz', (c) => c.notNull())
        .addColumn('expires_at', 'timestamptz')
        .addColumn('revoked_at', 'timestamptz')
        .execute();
      await db.schema.createIndex('api_tokens_account_id_idx').on('api_tokens').column('account_id').execute();
      await db.schema.createTable('collaborators')
        .addColumn('app_id', 'uuid', (c) => c.notNull().references('apps.id').onDelete('cascade'))
        .addColumn('email', 'text', (c) => c.notNull())
        .addColumn('created_at', 'timestamptz', (c) => c.notNull())
        .addPrimaryKeyConstraint('collaborators_pkey', ['app_id', 'email'])
        .execute();
      await db.schema.createIndex('collaborators_email_idx').on('collaborators').column('email').execute();
    },
  },
  '0005_maintenance': {
    async up(db: Kysely<any>) {
      // Maintenance mode is app state, not part of a release: the router answers H80 while it is on.
      await db.schema.alterTable('apps').addColumn('maintenance', 'boolean', (c) => c.notNull().defaultTo(false)).execute();
    },
  },
  '0006_log_drains': {
    async up(db: Kysely<any>) {
      // Projection of LogDrainAdded/LogDrainRemoved; the url may hold credentials, like config var values.
      await db.schema.createTable('log_drains')
        .addColumn('id', 'uuid', (c) => c.primaryKey())
        .addColumn('app_id', 'uuid', (c) => c.notNull().references('apps.id').onDelete('cascade'))
        .addColumn('url', 'text', (c) => c.notNull())
        .addColumn('token', 'text', (c) => c.notNull().unique())
        .addColumn('created_at', 'timestamptz', (c) => c.notNull())
        .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
        .addUniqueConstraint('log_drains_app_url_key', ['app_id', 'url'])
        .execute();
    },
  },
  '0007_addons': {
    async up(db: Kysely<any>) {
      // Projection of the add-on events. An add-on row stays after it is deprovisioned (with the reason
      // when provisioning failed); both go with their app (on delete cascade).
      await db.schema.createTable('addons')
        .addColumn('id', 'uuid', (c) => c.primaryKey())
        .addColumn('app_id', 'uuid', (c) => c.notNull().references('apps.id').onDelete('cascade'))
        .addColumn('name', 'text', (c) => c.notNull().unique())
        .addColumn('service', 'text', (c) => c.notNull())
        .addColumn('plan', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        // The credentials (a secret, like config var values).
        .addColumn('url', 'text')
        .addColumn('reason', 'text')
        .addColumn('created_at', 'timestamptz', (c) => c.notNull())
        .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('addons_app_id_idx').on('addons').column('app_id').execute();
      await db.schema.createTable('addon_attachments')
        .addColumn('id', 'uuid', (c) => c.primaryKey())
        .addColumn('addon_id', 'uuid', (c) => c.notNull().references('addons.id').onDelete('cascade'))
        .addColumn('app_id', 'uuid', (c) => c.notNull().references('apps.id').onDelete('cascade'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('config_vars', 'jsonb', (c) => c.notNull())
        .addColumn('created_at', 'timestamptz', (c) => c.notNull())
        .addUniqueConstraint('addon_attachments_app_name_key', ['app_id', 'name'])
        .execute();
      await db.schema.createIndex('addon_attachments_addon_id_idx').on('addon_attachments').column('addon_id').execute();
      // Add-on databases may live on this server: their roles must not open the platform's database.
      await sql`do $$ begin execute format('revoke connect, temporary on database %I from public', current_database()); end $$`.execute(db);
    },
  },
  '0008_release_status': {
    async up(db: Kysely<any>) {
      // Projection of ReleaseStatusChanged: pending while a release command runs, then succeeded or failed.
      // Releases made before release phases were recorded all ran: they succeeded.
      await db.schema.alterTable('releases').addColumn('status', 'text', (c) => c.notNull().defaultTo('succeeded')).execute();
    },
  },
  '0009_repo_links': {
    async up(db: Kysely<any>) {
      // One repository link per app (RepoLinked replaces it); gone with the app's row.
      await db.schema.createTable('repo_links')
        .addColumn('app_id', 'uuid', (c) => c.primaryKey().references('apps.id').onDelete('cascade'))
        .addColumn('repo_url', 'text', (c) => c.notNull())
        .addColumn('branch', 'text', (c) => c.notNull())
        .addColumn('auto_deploy', 'boolean', (c) => c.notNull())
        .addColumn('secret', 'text')
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('created_at', 'timestamptz', (c) => c.notNull())
        .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
        .execute();
    },
  },
  '0011_app_setups': {
    async up(db: Kysely<any>) {
      // App setups (POST /app-setups): a record outliving the api that ran it and the app it made
      // (a failed setup's app is destroyed), hence no foreign key to apps.
      await db.schema.createTable('app_setups')
        .addColumn('id', 'uuid', (c) => c.primaryKey())
        .addColumn('app_id', 'uuid', (c) => c.notNull())
        .addColumn('app_name', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('failure_message', 'text')
        .addColumn('build', 'jsonb')
        .addColumn('postdeploy', 'jsonb')
        .addColumn('resolved_success_url', 'text')
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('source_url', 'text', (c) => c.notNull())
        .addColumn('created_at', 'timestamptz', (c) => c.notNull())
        .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('app_setups_pending_idx').on('app_setups').columns(['status', 'updated_at']).execute();
    },
  },
};
