import type { UntypedServiceImplementation } from '@grpc/grpc-js';
import { invalid } from '@paas/contracts';
import type { Actor } from '../actor.js';
import type { PlatformService } from '../platform.service.js';
import type { GrpcCalls } from './grpc-calls.js';
import type { LogTail } from './log-tail.js';

// Requests as proto-loader decodes them (snake_case, optional fields absent when unset).
interface AppRef { app: string }
interface CreateAppRequest { name?: string; region?: string; stack?: string }
interface UpdateConfigVarsRequest { app: string; set: Record<string, string>; unset: string[] }
interface ReleaseRef { app: string; release: string }
interface FormationUpdate { type: string; quantity?: number; size?: string }
interface ScaleFormationRequest { app: string; updates: FormationUpdate[] }

/**
 * Every rpc of paas.v1.Platform (libs/contracts/proto/paas/v1/platform.proto) in one table:
 * each decodes the request into the HTTP body shape and delegates to PlatformService. Calls are
 * made with the admin key, so they act as the admin.
 */
export function platformHandlers(platform: PlatformService, tail: LogTail, calls: GrpcCalls, admin: Actor): UntypedServiceImplementation {
  return {
    CreateApp: calls.unary('CreateApp', (r: CreateAppRequest) => platform.createApp(admin, { name: r.name, region: r.region, stack: r.stack })),
    ListApps: calls.unary('ListApps', async () => ({ apps: await platform.listApps(admin) })),
    GetApp: calls.unary('GetApp', (r: AppRef) => platform.getApp(admin, r.app)),
    DestroyApp: calls.unary('DestroyApp', (r: AppRef) => platform.destroyApp(admin, r.app)),

    GetConfigVars: calls.unary('GetConfigVars', async (r: AppRef) => ({ vars: await platform.getConfig(admin, r.app) })),
    UpdateConfigVars: calls.unary('UpdateConfigVars', async (r: UpdateConfigVarsRequest) => ({ vars: await platform.setConfig(admin, r.app, configChanges(r)) })),

    ListReleases: calls.unary('ListReleases', async (r: AppRef) => ({ releases: await platform.listReleases(admin, r.app) })),
    GetRelease: calls.unary('GetRelease', (r: ReleaseRef) => platform.getRelease(admin, r.app, r.release)),
    RollbackRelease: calls.unary('RollbackRelease', (r: ReleaseRef) => platform.rollback(admin, r.app, { release: r.release })),

    ListFormation: calls.unary('ListFormation', async (r: AppRef) => ({ formation: await platform.formation(admin, r.app) })),
    ScaleFormation: calls.unary('ScaleFormation', async (r: ScaleFormationRequest) => ({ formation: await platform.scale(admin, r.app, { updates: r.updates.map(formationUpdate) }) })),

    ListDynos: calls.unary('ListDynos', async (r: AppRef) => ({ dynos: await platform.dynos(admin, r.app) })),

    TailLogs: calls.serverStream('TailLogs', async (r: AppRef, call) => tail.stream((await platform.getApp(admin, r.app)).id, call)),
  };
}

/** `set` and `unset` as the HTTP PATCH body: names to values, null removing a var. */
function configChanges(r: UpdateConfigVarsRequest): Record<string, string | null> {
  const both = r.unset.filter((name) => Object.hasOwn(r.set, name));
  if (both.length) throw invalid(`${both.join(', ')} is both in set and unset: name each config var in one of them.`);
  return { ...r.set, ...Object.fromEntries(r.unset.map((name) => [name, null])) };
}

/** Leaves out what the client did not send, so the release service keeps the current value. */
function formationUpdate(u: FormationUpdate): FormationUpdate {
  return { type: u.type, ...(u.quantity === undefined ? {} : { quantity: u.quantity }), ...(u.size === undefined ? {} : { size: u.size }) };
}
