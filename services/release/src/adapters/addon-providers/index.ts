import { herokuPostgresql } from './heroku-postgresql.js';
import { herokuRedis } from './heroku-redis.js';
import type { AddonProviderModule } from './provider.js';

/** The add-on catalogue: every service the platform offers, one provider module each. */
export const PROVIDER_MODULES: readonly AddonProviderModule[] = [herokuPostgresql, herokuRedis];
