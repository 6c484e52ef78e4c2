import { z } from 'zod';
import { defineRpc } from './define.js';
import { appName } from '../common.js';
import { drainToken, drainUrl } from '../log-drains.js';

/** Log drains are recorded by the release service (events in the app's stream) and delivered to by the api. */

const appRef = z.string().min(1).max(64);
const by = z.string().min(1);
const actor = z.string().optional();

export const logDrainInfo = z.strictObject({
  id: z.uuid(),
  url: drainUrl,
  token: drainToken,
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type LogDrainInfo = z.infer<typeof logDrainInfo>;

/** A drain with the app it belongs to: what delivery needs. */
export const appLogDrain = logDrainInfo.extend({ appId: z.uuid(), appName });
export type AppLogDrain = z.infer<typeof appLogDrain>;

export const ListLogDrains = defineRpc('release', 'ListLogDrains', z.strictObject({ app: appRef, actor }), z.array(logDrainInfo));
/** The url arrives as the user typed it: the release service checks it and says what is wrong. */
export const AddLogDrain = defineRpc('release', 'AddLogDrain', z.strictObject({ app: appRef, url: z.string().max(10_000), by, actor }), logDrainInfo);
/** `drain` is the drain's id, url or token, as Heroku's API takes it. */
export const RemoveLogDrain = defineRpc('release', 'RemoveLogDrain', z.strictObject({ app: appRef, drain: z.string().min(1).max(10_000), by, actor }), logDrainInfo);
/** Every drain of every live app, for delivery (internal: no actor). */
export const ListAllLogDrains = defineRpc('release', 'ListAllLogDrains', z.strictObject({}), z.array(appLogDrain));
