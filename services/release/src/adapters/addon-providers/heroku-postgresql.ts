import pg from 'pg';
import { withUser } from '@paas/db';
import type { AddonSettings } from '../../config.js';
import type { ServiceSpec } from '../../domain/addon-catalogue.js';
import { isUnreachable, serverDown, whereOf, type AddonProvider, type AddonProviderModule, type AddonTarget } from './provider.js';

const spec: ServiceSpec = {
  id: '6c67493d-8fc2-4cd4-9161-4f1ec11cbe69',
  name: 'heroku-postgresql',
  humanName: 'Heroku Postgres',
  namePrefix: 'postgresql',
  attach: { primary: 'DATABASE', prefix: 'HEROKU_POSTGRESQL', colorAlias: true },
  plans: [
    { name: 'essential-0', id: '6b0e6a1e-6d3c-4f0a-9b57-8a6f5c1e0a01', humanName: 'Essential 0', priceCentsPerMonth: 0, default: true, limits: { connections: 20, storageGb: 1, tables: 4000 } },
    { name: 'essential-1', id: '6b0e6a1e-6d3c-4f0a-9b57-8a6f5c1e0a02', humanName: 'Essential 1', priceCentsPerMonth: 0, limits: { connections: 20, storageGb: 10, tables: 4000 } },
    { name: 'essential-2', id: '6b0e6a1e-6d3c-4f0a-9b57-8a6f5c1e0a03', humanName: 'Essential 2', priceCentsPerMonth: 0, limits: { connections: 40, storageGb: 32, tables: 4000 } },
    { name: 'standard-0', id: '6b0e6a1e-6d3c-4f0a-9b57-8a6f5c1e0a04', humanName: 'Standard 0', priceCentsPerMonth: 0, limits: { connections: 120, storageGb: 64 } },
  ],
};

/**
 * The group every add-on role is in: pg_hba.conf lets its members, and nobody else, log in from
 * tenants' networks, each to its own database (`host sameuser +paas_addons samehost scram-sha-256`).
 */
export const ADDON_GROUP = 'paas_addons';

/** The database and the role of an add-on share one name, derived from its id. */
export const postgresNameOf = (addonId: string) => `addon_${addonId.replace(/-/g, '')}`;

/**
 * heroku-postgresql: a database and a login role of its own (random password, connection limit of
 * the plan) on the add-on server; CONNECT is revoked from PUBLIC so no other app's role gets in.
 */
class PostgresProvider implements AddonProvider {
  constructor(private readonly adminUrl: string) {}

  async provision(addon: AddonTarget, password: string): Promise<{ url: string }> {
    const name = postgresNameOf(addon.id);
    if (!/^[0-9a-f]{16,}$/.test(password)) throw new Error('add-on secrets are hex strings');
    const limit = addon.plan.limits.connections ?? -1;
    await this.admin(async (c) => {
      // Identifiers come from uuids and the password is hex: nothing here can be injected.
      await c.query(`create role "${name}" login password '${password}' connection limit ${limit}`).catch(async (err: { code?: string }) => {
        if (err.code !== '42710') throw err; // made by an earlier try: give it this try's password
        await c.query(`alter role "${name}" login password '${password}' connection limit ${limit}`);
      });
      await c.query(`create role ${ADDON_GROUP} nologin`).catch((err: { code?: string }) => {
        if (err.code !== '42710' && err.code !== '23505') throw err; // there already (23505: made concurrently)
      });
      await c.query(`grant ${ADDON_GROUP} to "${name}"`);
      await c.query(`create database "${name}" owner "${name}"`).catch((err: { code?: string }) => {
        if (err.code !== '42P04') throw err;
      });
      await c.query(`revoke connect, temporary on database "${name}" from public`);
    });
    const url = new URL(withUser(this.adminUrl));
    url.username = name;
    url.password = password;
    url.pathname = `/${name}`;
    url.search = '';
    return { url: url.toString() };
  }

  /**
   * Docker dynos reach the server through the dyno-manager's relay, from a host address: without
   * the pg_hba.conf line for add-on roles they cannot log in (the platform's roles never can).
   */
  async setUpAdvice(): Promise<string | undefined> {
    let found = true;
    await this.admin(async (c) => {
      const { rows } = await c.query<{ n: number }>(
        `select count(*)::int as n from pg_hba_file_rules where 'sameuser' = any(database) and '+${ADDON_GROUP}' = any(user_name) and auth_method in ('scram-sha-256', 'md5')`);
      found = rows[0]!.n > 0;
    });
    return found ? undefined
      : `the PostgreSQL server of heroku-postgresql add-ons (${whereOf(this.adminUrl)}) has no pg_hba.conf line for add-on roles, so docker dynos cannot log in to their databases: add "host sameuser +${ADDON_GROUP} samehost scram-sha-256" and reload it`;
  }

  async deprovision(addon: AddonTarget): Promise<void> {
    const name = postgresNameOf(addon.id);
    await this.admin(async (c) => {
      await c.query(`drop database if exists "${name}" with (force)`);
      await c.query(`drop role if exists "${name}"`);
    });
  }

  private async admin(fn: (c: pg.Client) => Promise<void>): Promise<void> {
    const client = new pg.Client({ connectionString: withUser(this.adminUrl), connectionTimeoutMillis: 3000 });
    client.on('error', () => { /* a dropped connection fails the query in flight */ });
    try {
      await client.connect();
    } catch (err) {
      throw isUnreachable(err) ? serverDown(spec.name, whereOf(this.adminUrl), (err as Error).message) : err;
    }
    try {
      await fn(client);
    } finally {
      await client.end().catch(() => undefined);
    }
  }
}

export const herokuPostgresql: AddonProviderModule = {
  spec,
  create: (settings: AddonSettings) => new PostgresProvider(settings.postgresUrl),
};
