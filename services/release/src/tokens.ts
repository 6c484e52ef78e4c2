/** Injection tokens of the release service. */
export const SETTINGS = Symbol('RELEASE_SETTINGS');
/** The Kysely handle on the event log database. */
export const DB = Symbol('RELEASE_DB');
