import { z } from 'zod';

/**
 * Shapes shared by the add-on events and commands. An add-on is a resource (a database, a Redis
 * user) provisioned for the app that owns it; an attachment puts its credentials into an app's
 * config vars under a name (DATABASE -> DATABASE_URL), on the owning app or on another app.
 */

/** Add-on names as Heroku makes them ("postgresql-shaped-12345"), or as a user gives one. */
export const ADDON_NAME_PATTERN = /^[a-z][a-z0-9-]{1,60}[a-z0-9]$/;
export const addonName = z.string().regex(ADDON_NAME_PATTERN, {
  message: 'Add-on names start with a letter and use lowercase letters, digits and dashes (3-62 characters).',
});

/** Attachment names become config var prefixes: DATABASE -> DATABASE_URL. */
export const ATTACHMENT_NAME_PATTERN = /^[A-Z][A-Z0-9_]{0,61}$/;
export const attachmentName = z.string().regex(ATTACHMENT_NAME_PATTERN, {
  message: 'Attachment names start with a letter and use uppercase letters, digits and underscores (e.g. DATABASE).',
});

/** An add-on's life: provisioning while its resource is made, provisioned, deprovisioned once gone (or failed). */
export const addonState = z.enum(['provisioning', 'provisioned', 'deprovisioned']);
export type AddonState = z.infer<typeof addonState>;

/** A service name as in the catalogue ("heroku-postgresql"). */
export const addonServiceName = z.string().regex(/^[a-z][a-z0-9-]{1,62}$/);
/** A plan's short name within its service ("essential-0"). */
export const addonPlanName = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/);
