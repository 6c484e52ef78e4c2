import { z } from 'zod';
import { defineRpc } from './define.js';
import { appName } from '../common.js';
import { branchName, commitSha, repoUrl } from '../repo-links.js';

/** Repository links are recorded by the release service (events in the app's stream); the api fetches and deploys. */

const appRef = z.string().min(1).max(64);
const by = z.string().min(1);
const actor = z.string().optional();

/** A link with its secret: only the api sees this (to check webhook signatures); users never do. */
export const repoLinkInfo = z.strictObject({
  appId: z.uuid(),
  appName,
  repoUrl,
  branch: branchName,
  autoDeploy: z.boolean(),
  secret: z.string().nullable(),
  createdBy: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type RepoLinkInfo = z.infer<typeof repoLinkInfo>;

/** The URL and branch arrive as the user typed them: the release service checks them and says what is wrong. */
export const LinkRepo = defineRpc('release', 'LinkRepo', z.strictObject({
  app: appRef, repoUrl: z.string().max(10_000), branch: z.string().max(1_000), autoDeploy: z.boolean(), secret: z.string().max(10_000).nullable(), by, actor,
}), repoLinkInfo);
/** Removes the link; answers with it as it was. not_found when the app has none. */
export const UnlinkRepo = defineRpc('release', 'UnlinkRepo', z.strictObject({ app: appRef, by, actor }), repoLinkInfo);
/** The app's link; not_found when it has none (or the actor may not see the app). No actor: the webhook's lookup. */
export const GetRepoLink = defineRpc('release', 'GetRepoLink', z.strictObject({ app: appRef, actor }), repoLinkInfo);
/** Records that a fetched commit's build is about to be queued (RepoDeployRequested). */
export const RecordRepoDeploy = defineRpc('release', 'RecordRepoDeploy', z.strictObject({
  app: appRef, buildId: z.uuid(), branch: branchName, commit: commitSha, trigger: z.enum(['webhook', 'manual']), by,
}), z.strictObject({ recorded: z.boolean() }));
