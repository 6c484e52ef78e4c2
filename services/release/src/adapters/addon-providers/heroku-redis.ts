import { Redis } from 'ioredis';
import type { AddonSettings } from '../../config.js';
import type { ServiceSpec } from '../../domain/addon-catalogue.js';
import { isUnreachable, serverDown, whereOf, type AddonProvider, type AddonProviderModule, type AddonTarget } from './provider.js';

const spec: ServiceSpec = {
  id: '5a9e5c8e-3b2b-4f4e-8d6d-2c1f9b7a0e01',
  name: 'heroku-redis',
  humanName: 'Heroku Key-Value Store',
  namePrefix: 'redis',
  attach: { primary: 'REDIS', prefix: 'HEROKU_REDIS', colorAlias: false },
  plans: [
    { name: 'mini', id: '5a9e5c8e-3b2b-4f4e-8d6d-2c1f9b7a0e11', humanName: 'Mini', priceCentsPerMonth: 0, default: true, limits: { memoryMb: 25, connections: 20 } },
    { name: 'premium-0', id: '5a9e5c8e-3b2b-4f4e-8d6d-2c1f9b7a0e12', humanName: 'Premium 0', priceCentsPerMonth: 0, limits: { memoryMb: 50, connections: 40 } },
    { name: 'premium-1', id: '5a9e5c8e-3b2b-4f4e-8d6d-2c1f9b7a0e13', humanName: 'Premium 1', priceCentsPerMonth: 0, limits: { memoryMb: 100, connections: 80 } },
  ],
};

/**
 * The key prefix an add-on's user may touch: its name and a colon ("redis-curved-12345:"), which
 * is also the user name in REDIS_URL, so an app derives its prefix from the URL it is given.
 */
export const redisPrefixOf = (addonName: string) => `${addonName}:`;

/**
 * heroku-redis: a Redis 7 ACL user per add-on, limited to keys and channels under its prefix and
 * to commands that are not @dangerous (INFO allowed: clients ask it when they connect).
 */
class RedisProvider implements AddonProvider {
  constructor(private readonly adminUrl: string) {}

  async provision(addon: AddonTarget, password: string): Promise<{ url: string }> {
    const prefix = redisPrefixOf(addon.name);
    await this.admin(async (r) => {
      await r.call('ACL', 'SETUSER', addon.name, 'reset', 'on', `>${password}`, `~${prefix}*`, `&${prefix}*`, '+@all', '-@dangerous', '+info');
      await saveAcl(r);
    });
    const url = new URL(this.adminUrl);
    url.username = addon.name;
    url.password = password;
    url.pathname = '';
    return { url: url.toString() };
  }

  async deprovision(addon: AddonTarget): Promise<void> {
    const prefix = redisPrefixOf(addon.name);
    await this.admin(async (r) => {
      let cursor = '0';
      do {
        const [next, keys] = await r.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
        if (keys.length > 0) await r.unlink(...keys);
        cursor = next;
      } while (cursor !== '0');
      await r.call('ACL', 'DELUSER', addon.name); // also disconnects its clients
      await saveAcl(r);
    });
  }

  private async admin(fn: (r: Redis) => Promise<void>): Promise<void> {
    const r = new Redis(this.adminUrl, { lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null, connectTimeout: 3000 });
    r.on('error', () => { /* reported by the command that fails */ });
    try {
      await r.connect();
    } catch (err) {
      r.disconnect();
      throw isUnreachable(err) ? serverDown(spec.name, whereOf(this.adminUrl), (err as Error).message) : err;
    }
    try {
      await fn(r);
    } finally {
      r.disconnect();
    }
  }
}

/** Keeps the users across a Redis restart when the server has an ACL file; without one they live in memory. */
async function saveAcl(r: Redis): Promise<void> {
  await r.call('ACL', 'SAVE').catch((err: Error) => {
    if (!/not configured to use an ACL file/i.test(err.message)) throw err;
  });
}

export const herokuRedis: AddonProviderModule = {
  spec,
  create: (settings: AddonSettings) => new RedisProvider(settings.redisUrl),
};
