import { z } from 'zod';
import { defineRpc } from './define.js';
import { appName } from '../common.js';

/**
 * An app setup (Heroku's POST /app-setups, the Deploy button): an app made from a source tarball
 * and its app.json. Kept by the release service so it outlives the api that ran it and the app
 * (a failed setup's app is destroyed; the record says why).
 */
export const appSetupStatus = z.enum(['pending', 'succeeded', 'failed']);
export const appSetupInfo = z.strictObject({
  id: z.uuid(),
  createdAt: z.string(),
  updatedAt: z.string(),
  status: appSetupStatus,
  failureMessage: z.string().nullable(),
  app: z.strictObject({ id: z.uuid(), name: appName }),
  build: z.strictObject({ id: z.uuid(), status: z.enum(['pending', 'succeeded', 'failed']) }).nullable(),
  manifestErrors: z.array(z.string()),
  postdeploy: z.strictObject({ output: z.string(), exitCode: z.number().int() }).nullable(),
  resolvedSuccessUrl: z.string().nullable(),
  /** The account that asked for it: only they (and the admin) see it. */
  by: z.string(),
  sourceUrl: z.string(),
});
export type AppSetupInfo = z.infer<typeof appSetupInfo>;

/** Records a new pending setup of an app just created. */
export const RecordAppSetup = defineRpc('release', 'RecordAppSetup',
  z.strictObject({ id: z.uuid(), app: z.strictObject({ id: z.uuid(), name: appName }), by: z.string().min(1), sourceUrl: z.string().max(2000) }),
  appSetupInfo);

/**
 * Changes a pending setup: the build it made, the postdeploy result, its end (succeeded or failed
 * with the reason). With nothing to change it only marks the setup as still being worked on. A setup
 * that already ended is an illegal_state: two api processes never both finish one.
 */
export const UpdateAppSetup = defineRpc('release', 'UpdateAppSetup',
  z.strictObject({
    id: z.uuid(),
    status: appSetupStatus.optional(),
    failureMessage: z.string().max(4000).optional(),
    build: appSetupInfo.shape.build.unwrap().optional(),
    postdeploy: appSetupInfo.shape.postdeploy.unwrap().optional(),
    resolvedSuccessUrl: z.string().max(2000).optional(),
  }),
  appSetupInfo);

/** One setup; `actor` (an account email) sees only theirs, absent is the admin. */
export const GetAppSetup = defineRpc('release', 'GetAppSetup', z.strictObject({ id: z.uuid(), actor: z.string().optional() }), appSetupInfo);

/** Pending setups nobody has worked on since `updatedBefore` (their api stopped mid-way). */
export const ListStaleAppSetups = defineRpc('release', 'ListStaleAppSetups', z.strictObject({ updatedBefore: z.string() }), z.array(appSetupInfo));
