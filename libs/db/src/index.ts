export * from './schema.js';
export * from './migrations.js';
export * from './database.js';
export { sql, type Kysely, type Transaction } from 'kysely';
