import { z } from 'zod';
import { appName, dynoState } from './common.js';

/**
 * The route table lives in a NATS KV bucket written by the dyno-manager and watched by routers:
 * `app.<appName>` says the app exists (so an unknown host is a 404 and a known one without
 * dynos an H14); `dyno.<appName>.<dynoId>` is one web dyno and where it listens.
 */
export const appRoute = z.strictObject({
  appId: z.uuid(),
  appName,
  maintenance: z.boolean(),
  /** Custom domains that lead to the app besides `<app>.<PAAS_DOMAIN>`; `*.example.com` matches one label. */
  domains: z.array(z.string()).default([]),
});
export type AppRoute = z.infer<typeof appRoute>;
/** An app route as written: domains may be left out (none). */
export type AppRouteInput = z.input<typeof appRoute>;

export const dynoRoute = z.strictObject({
  appId: z.uuid(),
  appName,
  dynoId: z.string().regex(/^[A-Za-z0-9_-]+$/),
  dyno: z.string(),
  releaseVersion: z.number().int().positive(),
  state: dynoState,
  host: z.string(),
  port: z.number().int().positive(),
});
export type DynoRoute = z.infer<typeof dynoRoute>;

export const routeKeys = {
  app: (name: string) => `app.${name}`,
  dyno: (name: string, dynoId: string) => `dyno.${name}.${dynoId}`,
  dynosOf: (name: string) => `dyno.${name}.*`,
};
