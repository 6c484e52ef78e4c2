import { z } from 'zod';
import { defineRpc } from './define.js';
import { appName, blobRef, configVarName, configVars, dynoSize, formationEntry, processType, slug } from '../common.js';

/** An app reference as users give it: its name or its id. */
const appRef = z.string().min(1).max(64);
const by = z.string().min(1);

export const appInfo = z.strictObject({
  id: z.uuid(),
  name: appName,
  stack: z.string(),
  region: z.string(),
  owner: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  releaseVersion: z.number().int().positive(),
  slugSize: z.number().int().nullable(),
  maintenance: z.boolean(),
});
export type AppInfo = z.infer<typeof appInfo>;

export const releaseInfo = z.strictObject({
  id: z.uuid(),
  appId: z.uuid(),
  appName,
  version: z.number().int().positive(),
  description: z.string(),
  by: z.string(),
  createdAt: z.string(),
  slug: slug.nullable(),
  config: configVars,
  /** The newest release that did not fail: what the app runs (or is moving to, while pending). */
  current: z.boolean(),
  buildId: z.uuid().nullable(),
  /** pending while its release command runs, then succeeded or failed; succeeded at once without one. */
  status: z.enum(['pending', 'succeeded', 'failed']),
});
export type ReleaseInfo = z.infer<typeof releaseInfo>;

export const formationInfo = formationEntry.extend({ command: z.string(), updatedAt: z.string() });
export type FormationInfo = z.infer<typeof formationInfo>;

/**
 * Who asks (an account email) in app-scoped requests: an app they neither own nor collaborate on
 * is not_found, and ListApps lists only theirs. Absent = the admin, who sees everything.
 */
const actor = z.string().optional();

export const CreateApp = defineRpc('release', 'CreateApp', z.strictObject({ name: appName.optional(), by }), appInfo);
export const DestroyApp = defineRpc('release', 'DestroyApp', z.strictObject({ app: appRef, by, actor }), appInfo);
export const GetApp = defineRpc('release', 'GetApp', z.strictObject({ app: appRef, actor }), appInfo);
export const ListApps = defineRpc('release', 'ListApps', z.strictObject({ actor }), z.array(appInfo));
/** Turns maintenance mode on or off (Heroku's PATCH /apps/:app {"maintenance": true}). */
export const SetMaintenance = defineRpc('release', 'SetMaintenance', z.strictObject({ app: appRef, maintenance: z.boolean(), by, actor }), appInfo);
export const GetConfigVars = defineRpc('release', 'GetConfigVars', z.strictObject({ app: appRef, actor }), configVars);
export const SetConfigVars = defineRpc('release', 'SetConfigVars',
  z.strictObject({ app: appRef, changes: z.record(configVarName, z.string().nullable()), by, actor }),
  z.strictObject({ config: configVars, release: releaseInfo.nullable() }));
export const ListReleases = defineRpc('release', 'ListReleases', z.strictObject({ app: appRef, actor }), z.array(releaseInfo));
export const GetRelease = defineRpc('release', 'GetRelease', z.strictObject({ app: appRef, release: z.string().min(1), actor }), releaseInfo);
export const RollbackRelease = defineRpc('release', 'RollbackRelease', z.strictObject({ app: appRef, release: z.string().min(1), by, actor }), releaseInfo);
export const GetFormation = defineRpc('release', 'GetFormation', z.strictObject({ app: appRef, actor }), z.array(formationInfo));
export const ScaleFormation = defineRpc('release', 'ScaleFormation',
  z.strictObject({
    app: appRef,
    updates: z.array(z.strictObject({ type: processType, quantity: z.number().int().min(0).optional(), size: dynoSize.optional() })).min(1),
    by,
    actor,
  }),
  z.array(formationInfo));

/**
 * Releases pushed container images (`container:release`, Heroku's PATCH formation with docker_image):
 * each named process type runs its image's command; types a previous container release set keep
 * theirs. `record` is a stored blob describing the images, kept as the slug's blob for the record.
 */
export const ReleaseImages = defineRpc('release', 'ReleaseImages',
  z.strictObject({
    app: appRef,
    images: z.record(processType, z.strictObject({ id: z.string().min(1), tag: z.string().min(1), command: z.string().min(1), imageId: z.string().regex(/^sha256:[0-9a-f]{64}$/) })),
    record: blobRef,
    by,
    actor,
  }),
  releaseInfo);

/**
 * A domain of an app. The release service stores custom ones only; the default `<app>.<PAAS_DOMAIN>`
 * (kind heroku) is the api's to add.
 */
export const domainInfo = z.strictObject({
  hostname: z.string(),
  kind: z.enum(['heroku', 'custom']),
  createdAt: z.string(),
});
export type DomainInfo = z.infer<typeof domainInfo>;

/** Hostnames arrive as users typed them: the release service normalizes and checks them. */
const hostnameRequest = z.string().min(1).max(1000);

export const ListDomains = defineRpc('release', 'ListDomains', z.strictObject({ app: appRef, actor }), z.array(domainInfo));
export const AddDomain = defineRpc('release', 'AddDomain', z.strictObject({ app: appRef, hostname: hostnameRequest, by, actor }), domainInfo);
export const RemoveDomain = defineRpc('release', 'RemoveDomain', z.strictObject({ app: appRef, hostname: hostnameRequest, by, actor }), domainInfo);

/** What the dyno-manager should run: every app's current release and formation. */
export const desiredApp = z.strictObject({
  appId: z.uuid(),
  appName,
  release: releaseInfo,
  formation: z.array(formationEntry),
  streamVersion: z.number().int().positive(),
  /** Routing facts: maintenance mode and the custom domains (hostnames, `*.` wildcards included). */
  maintenance: z.boolean(),
  domains: z.array(z.string()),
});
export type DesiredApp = z.infer<typeof desiredApp>;
export const GetDesiredState = defineRpc('release', 'GetDesiredState', z.strictObject({}), z.array(desiredApp));
