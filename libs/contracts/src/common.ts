import { z } from 'zod';

/** Heroku's app name rule: lowercase letters, digits and dashes, 3-30 characters, starting with a letter. */
export const APP_NAME_PATTERN = /^[a-z][a-z0-9-]{2,29}$/;
export const appName = z.string().regex(APP_NAME_PATTERN, {
  message: 'Name must start with a letter, end with a letter or digit and can only contain lowercase letters, digits, and dashes (3-30 characters).',
});

/**
 * A custom domain's hostname as stored: lowercase labels of letters, digits and dashes, optionally
 * behind a leading `*.` wildcard. The release service checks the full rules (and says what is wrong).
 */
export const domainHostname = z.string().min(3).max(253).regex(/^(\*\.)?[a-z0-9-]+(\.[a-z0-9-]+)+$/);

/** Process type names as a Procfile allows them. */
export const PROCESS_TYPE_PATTERN = /^[A-Za-z0-9_-]+$/;
export const processType = z.string().regex(PROCESS_TYPE_PATTERN).max(63);

/** Config var names: anything a POSIX environment accepts, no `=`. */
export const configVarName = z.string().min(1).max(256).regex(/^[^=\0]+$/);
export const configVars = z.record(configVarName, z.string());

export const dynoSize = z.enum(['eco', 'basic', 'standard-1x', 'standard-2x', 'performance-m', 'performance-l']);
export type DynoSize = z.infer<typeof dynoSize>;

/** A stored blob (source tarball or slug): where it lives and how to check it. */
export const blobRef = z.strictObject({
  key: z.string().min(1),
  checksum: z.string().regex(/^sha256:[0-9a-f]{64}$/),
  size: z.number().int().nonnegative(),
});
export type BlobRef = z.infer<typeof blobRef>;

export const processTypes = z.record(processType, z.string().min(1));

/** A built slug as releases and dynos see it. */
export const slug = z.strictObject({
  id: z.uuid(),
  blob: blobRef,
  processTypes,
  commit: z.string().nullable(),
  buildpack: z.string(),
  stack: z.string(),
  /**
   * A Docker build (heroku.yml): the image each process type runs, in place of unpacking the slug.
   * The blob then holds the build context, for the record.
   */
  images: z.record(processType, z.strictObject({ id: z.string().min(1), tag: z.string().min(1) })).optional(),
  /** app.json's formation: the scale the app's first deploy starts with (later deploys keep the app's). */
  formation: z.record(processType, z.strictObject({ quantity: z.number().int().min(0), size: dynoSize.optional() })).optional(),
});
export type Slug = z.infer<typeof slug>;

export const formationEntry = z.strictObject({
  type: processType,
  quantity: z.number().int().min(0),
  size: dynoSize,
});
export type FormationEntry = z.infer<typeof formationEntry>;

export const dynoState = z.enum(['starting', 'up', 'crashed', 'down']);
export type DynoState = z.infer<typeof dynoState>;
