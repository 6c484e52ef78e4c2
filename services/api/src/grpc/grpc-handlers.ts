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
interface BuildRef { app: string; build: string }
interface FormationUpdate { type: string; quantity?: number; size?: string }
interface ScaleFormationRequest { app: string; updates: FormationUpdate[] }

/**
 * Every rpc of paas.v1.Platform (libs/contracts/proto/paas/v1/platform.proto) in one table:
 * each decodes the request into the HTTP body shape and delegates to PlatformService, acting as
 * whoever the call's key or token names.
 */
export function platformHandlers(platform: PlatformService, tail: LogTail, calls: GrpcCalls): UntypedServiceImplementation {
  return {
    CreateApp: calls.unary('CreateApp', (r: CreateAppRequest, actor: Actor) => platform.createApp(actor, { name: r.name, region: r.region, stack: r.stack })),
    ListApps: calls.unary('ListApps', async (_: unknown, actor: Actor) => ({ apps: await platform.listApps(actor) })),
    GetApp: calls.unary('GetApp', (r: AppRef, actor: Actor) => platform.getApp(actor, r.app)),
    DestroyApp: calls.unary('DestroyApp', (r: AppRef, actor: Actor) => platform.destroyApp(actor, r.app)),

    GetConfigVars: calls.unary('GetConfigVars', async (r: AppRef, actor: Actor) => ({ vars: await platform.getConfig(actor, r.app) })),
    UpdateConfigVars: calls.unary('UpdateConfigVars', async (r: UpdateConfigVarsRequest, actor: Actor) => ({ vars: await platform.setConfig(actor, r.app, configChanges(r)) })),

    ListReleases: calls.unary('ListReleases', async (r: AppRef, actor: Actor) => ({ releases: await platform.listReleases(actor, r.app) })),
    GetRelease: calls.unary('GetRelease', (r: ReleaseRef, actor: Actor) => platform.getRelease(actor, r.app, r.release)),
    RollbackRelease: calls.unary('RollbackRelease', (r: ReleaseRef, actor: Actor) => platform.rollback(actor, r.app, { release: r.release })),

    ListFormation: calls.unary('ListFormation', async (r: AppRef, actor: Actor) => ({ formation: await platform.formation(actor, r.app) })),
    ScaleFormation: calls.unary('ScaleFormation', async (r: ScaleFormationRequest, actor: Actor) => ({ formation: await platform.scale(actor, r.app, { updates: r.updates.map(formationUpdate) }) })),

    ListBuilds: calls.unary('ListBuilds', async (r: AppRef, actor: Actor) => ({ builds: (await platform.builds(actor, r.app)).map(grpcBuild) })),
    GetBuild: calls.unary('GetBuild', async (r: BuildRef, actor: Actor) => grpcBuild(await platform.build(actor, r.app, r.build))),

    ListDynos: calls.unary('ListDynos', async (r: AppRef, actor: Actor) => ({ dynos: await platform.dynos(actor, r.app) })),

    TailLogs: calls.serverStream('TailLogs', async (r: AppRef, call, actor: Actor) => tail.stream((await platform.getApp(actor, r.app)).id, call)),
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

/** A build in the proto's shape (no nulls in proto3 strings). */
function grpcBuild(b: { id: string; status: string; source_blob: { version: string | null }; slug: { id: string } | null; user: { email: string }; buildpacks: { name: string }[]; failure_reason: string | null; created_at: string; updated_at: string }) {
  return {
    id: b.id, status: b.status, source_blob: { version: b.source_blob.version ?? '' }, slug: b.slug ?? undefined, user: { email: b.user.email },
    buildpack: b.buildpacks[0]?.name ?? '', failure_reason: b.failure_reason ?? '', created_at: b.created_at, updated_at: b.updated_at,
  };
}
