import { z } from 'zod';
import { defineRpc } from './define.js';

/** One build as the builder records it: pending while it runs, then succeeded or failed. */
export const buildInfo = z.strictObject({
  id: z.uuid(),
  appId: z.uuid(),
  status: z.enum(['pending', 'succeeded', 'failed']),
  commit: z.string().nullable(),
  by: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  slugId: z.uuid().nullable(),
  buildpack: z.string().nullable(),
  reason: z.string().nullable(),
});
export type BuildInfo = z.infer<typeof buildInfo>;

/** The app's builds, oldest first. */
export const ListBuilds = defineRpc('builder', 'ListBuilds', z.strictObject({ appId: z.uuid() }), z.array(buildInfo));
/** One build of the app; another app's build or an unknown id is not_found. */
export const GetBuild = defineRpc('builder', 'GetBuild', z.strictObject({ appId: z.uuid(), buildId: z.uuid() }), buildInfo);

/** Empties the app's build cache (pip wheels, npm cache, cached dependency trees); the next build starts cold. */
export const PurgeBuildCache = defineRpc('builder', 'PurgeBuildCache', z.strictObject({ appId: z.uuid() }), z.strictObject({ purged: z.boolean() }));
