import { Inject, Injectable } from '@nestjs/common';
import { z } from 'zod';
import {
  AddDomain, appName, GetBuild, ListBuilds, CreateApp, DestroyApp, dynoSize, GetApp, GetConfigVars, GetFormation, GetRelease, ListApps, ListDomains,
  ListDynos, ListReleases, PaasError, RemoveDomain, RestartDynos, RollbackRelease, RunDyno, StopDynos, ScaleFormation, SetConfigVars, SetMaintenance, configVarName, invalid,
  type AppInfo,
} from '@paas/contracts';
import { RpcClient } from '@paas/messaging';
import { scopeOf, type Actor } from './actor.js';
import type { ApiSettings } from './config.js';
import {
  defaultHostname, domainId, parseQuantity, stableId, presentApp, presentBuild, presentDomain, presentDyno, presentFormation, presentRelease, type Site,
} from './domain/presenters.js';
import { runTty } from './domain/run-tty.js';
import { RendezvousListener } from './rendezvous/rendezvous-listener.js';
import { SETTINGS } from './tokens.js';

const createBody = z.object({ name: appName.optional(), region: z.string().optional(), stack: z.string().optional() }).nullish();
const updateBody = z.object({
  maintenance: z.boolean({ message: 'send true or false' }).optional(),
  name: z.string().optional(),
  build_stack: z.string().optional(),
}, { message: 'Send an object such as {"maintenance": true}.' });
const configBody = z.record(configVarName, z.string().nullable(), { message: 'Send an object of config var names to string values (null removes one).' });
const formationUpdate = z.object({ type: z.string(), quantity: z.unknown().optional(), size: z.string().optional() });
const formationBody = z.object({ updates: z.array(formationUpdate).min(1) });
const domainBody = z.object({ hostname: z.string({ message: 'hostname is required: the custom domain to add, e.g. www.example.com' }).min(1) });
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const runBody = z.object({
  command: z.string().min(1, 'command is required: the command line to run'),
  attach: z.boolean().optional(),
  env: z.record(z.string(), z.coerce.string()).optional(),
  size: z.string().optional(),
  force_no_tty: z.boolean().nullish(),
});

/** The Platform API's behaviour: validate the body, ask the owning service, present Heroku's shapes. */
@Injectable()
export class PlatformService {
  private readonly site: Site;
  constructor(
    @Inject(SETTINGS) private readonly settings: ApiSettings,
    private readonly rpc: RpcClient,
    private readonly rendezvous: RendezvousListener,
  ) {
    this.site = { adminEmail: settings.adminEmail, domain: settings.domain, routerPort: settings.routerPort, apiUrl: settings.publicUrl ?? '' };
  }

  setApiUrl(url: string): void {
    if (!this.settings.publicUrl) this.site.apiUrl = url;
  }

  /** The caller's account, as `GET /account` answers (the CLI reads `email`). */
  account(actor: Actor) {
    return { id: actor.accountId ?? stableId(`account:${actor.email}`), email: actor.email, name: actor.admin ? 'Admin' : null, allow_tracking: false, beta: false, verified: true, two_factor_authentication: false };
  }

  /** The app the actor may see, by name or id; another user's app is not found, never forbidden. */
  private appOf(actor: Actor, app: string): Promise<AppInfo> {
    return this.rpc.request(GetApp, { app, ...scopeOf(actor) });
  }

  async createApp(actor: Actor, body: unknown) {
    const b = createBody.parse(body) ?? {};
    return presentApp(this.site, await this.rpc.request(CreateApp, { name: b.name, by: actor.email }));
  }

  async listApps(actor: Actor) {
    return (await this.rpc.request(ListApps, { ...scopeOf(actor) })).map((a) => presentApp(this.site, a));
  }

  async getApp(actor: Actor, app: string) {
    return presentApp(this.site, await this.appOf(actor, app));
  }

  /** Heroku's PATCH /apps/:app: maintenance mode on or off. Renames and stack changes are refused, saying so. */
  async updateApp(actor: Actor, app: string, body: unknown) {
    const b = updateBody.parse(body ?? {});
    let a = await this.appOf(actor, app);
    if (b.name !== undefined && b.name !== a.name) {
      throw invalid(`Renaming an app is not supported yet: create a new app named ${b.name} and push to it instead.`);
    }
    if (b.build_stack !== undefined && b.build_stack !== a.stack) throw invalid(`Only the ${a.stack} stack is available; build_stack cannot be changed.`);
    if (b.maintenance !== undefined) a = await this.rpc.request(SetMaintenance, { app: a.id, maintenance: b.maintenance, by: actor.email });
    return presentApp(this.site, a);
  }

  async destroyApp(actor: Actor, app: string) {
    const a = await this.appOf(actor, app);
    return presentApp(this.site, await this.rpc.request(DestroyApp, { app: a.id, by: actor.email }));
  }

  async getConfig(actor: Actor, app: string) {
    const a = await this.appOf(actor, app);
    return this.rpc.request(GetConfigVars, { app: a.id });
  }

  async setConfig(actor: Actor, app: string, body: unknown) {
    const changes = configBody.parse(body ?? {});
    const a = await this.appOf(actor, app);
    return (await this.rpc.request(SetConfigVars, { app: a.id, changes, by: actor.email })).config;
  }

  async listReleases(actor: Actor, app: string) {
    const a = await this.appOf(actor, app);
    return (await this.rpc.request(ListReleases, { app: a.id })).map((r) => presentRelease(this.site, r));
  }

  async getRelease(actor: Actor, app: string, release: string) {
    const a = await this.appOf(actor, app);
    return presentRelease(this.site, await this.rpc.request(GetRelease, { app: a.id, release }));
  }

  async releaseConfig(actor: Actor, app: string, release: string) {
    const a = await this.appOf(actor, app);
    return (await this.rpc.request(GetRelease, { app: a.id, release })).config;
  }

  async rollback(actor: Actor, app: string, body: unknown) {
    const { release } = z.object({ release: z.union([z.string(), z.number()]) }).parse(body);
    const a = await this.appOf(actor, app);
    return presentRelease(this.site, await this.rpc.request(RollbackRelease, { app: a.id, release: String(release), by: actor.email }));
  }

  async formation(actor: Actor, app: string) {
    const a = await this.appOf(actor, app);
    return (await this.rpc.request(GetFormation, { app: a.id })).map((f) => presentFormation(a, f));
  }

  async scale(actor: Actor, app: string, body: unknown) {
    const updates = formationBody.parse(body).updates.map((u) => ({
      type: u.type,
      quantity: parseQuantity(u.quantity),
      size: u.size === undefined ? undefined : dynoSize.parse(u.size.toLowerCase()),
    }));
    const a = await this.appOf(actor, app);
    return (await this.rpc.request(ScaleFormation, { app: a.id, updates, by: actor.email })).map((f) => presentFormation(a, f));
  }

  /** The default domain every app has (`<app>.<domain>`, not stored), then the custom ones, oldest first. */
  async domains(actor: Actor, app: string) {
    const a = await this.appOf(actor, app);
    const custom = await this.rpc.request(ListDomains, { app: a.id });
    return [presentDomain(this.site, a), ...custom.map((d) => presentDomain(this.site, a, d))];
  }

  /** One domain, named by hostname or id (`heroku domains:info`). */
  async domain(actor: Actor, app: string, ref: string) {
    const all = await this.domains(actor, app);
    const found = all.find((d) => d.id === ref.toLowerCase() || d.hostname === ref.toLowerCase());
    if (!found) throw new PaasError('not_found', "Couldn't find that domain.");
    return found;
  }

  async addDomain(actor: Actor, app: string, body: unknown) {
    const { hostname } = domainBody.parse(body);
    const a = await this.appOf(actor, app);
    // Names under the platform's own domain are the apps' default domains: they are routed already.
    const host = hostname.trim().toLowerCase();
    if (host === this.site.domain || host.endsWith(`.${this.site.domain}`)) {
      throw new PaasError('invalid_params', `${hostname} is under the platform's domain ${this.site.domain}: every app already answers at <app>.${this.site.domain}. Add a domain you own.`);
    }
    return presentDomain(this.site, a, await this.rpc.request(AddDomain, { app: a.id, hostname, by: actor.email }));
  }

  /** Removes a custom domain named by hostname or id; the default domain cannot be removed. */
  async removeDomain(actor: Actor, app: string, ref: string) {
    const a = await this.appOf(actor, app);
    const hostname = UUID.test(ref) ? await this.hostnameOf(a, ref) : ref;
    if (hostname.trim().toLowerCase() === defaultHostname(this.site, a)) {
      throw new PaasError('invalid_params', `${hostname} is the app's default domain: it cannot be removed (it goes with the app).`);
    }
    return presentDomain(this.site, a, await this.rpc.request(RemoveDomain, { app: a.id, hostname, by: actor.email }));
  }

  private async hostnameOf(a: AppInfo, id: string): Promise<string> {
    const custom = await this.rpc.request(ListDomains, { app: a.id });
    const found = custom.find((d) => domainId(a, d.hostname) === id.toLowerCase());
    if (!found) throw new PaasError('not_found', "Couldn't find that domain.");
    return found.hostname;
  }

  /** No SNI endpoints (custom certificates) exist yet; `domains:add` asks for them first. */
  async sniEndpoints(actor: Actor, app: string) {
    await this.appOf(actor, app);
    return [];
  }

  /**
   * Starts a one-off dyno (`heroku run:detached`), or with `attach` creates one that starts once the
   * client connects to the returned attach_url (`heroku run`, see rendezvous/).
   */
  async runDyno(actor: Actor, app: string, body: unknown) {
    const b = runBody.parse(body);
    const a = await this.appOf(actor, app);
    const size = b.size === undefined ? undefined : dynoSize.parse(b.size.toLowerCase());
    const tty = runTty(b);
    const d = await this.rpc.request(RunDyno, { appId: a.id, command: b.command, env: b.env, size, by: actor.email, ...(b.attach ? { attach: true } : {}), ...(tty ? { tty } : {}) });
    if (!b.attach) return presentDyno(d, null);
    const attachUrl = this.rendezvous.offer({ appId: a.id, dynoId: d.id, name: d.name });
    return { ...presentDyno(d, null), attach_url: attachUrl };
  }

  /** Restarts (or stops) all dynos, one process type (`web`) or one dyno (`web.1`). */
  async restartDynos(actor: Actor, app: string, target?: string, stop = false) {
    const a = await this.appOf(actor, app);
    const which = target === undefined ? {} : target.includes('.') ? { name: target } : { type: target };
    await this.rpc.request(stop ? StopDynos : RestartDynos, { appId: a.id, ...which, by: actor.email });
    return {};
  }

  /** The app's builds, oldest first (Heroku's Build API listing). */
  async builds(actor: Actor, app: string) {
    const a = await this.appOf(actor, app);
    return (await this.rpc.request(ListBuilds, { appId: a.id })).map((b) => presentBuild(a, b));
  }

  async build(actor: Actor, app: string, id: string) {
    const a = await this.appOf(actor, app);
    return presentBuild(a, await this.rpc.request(GetBuild, { appId: a.id, buildId: z.uuid({ message: 'a build id is a uuid' }).parse(id) }));
  }

  async dynos(actor: Actor, app: string) {
    const a = await this.appOf(actor, app);
    const releases = await this.rpc.request(ListReleases, { app: a.id });
    const ids = new Map(releases.map((r) => [r.version, r.id]));
    return (await this.rpc.request(ListDynos, { appId: a.id })).map((d) => presentDyno(d, ids.get(d.releaseVersion) ?? null));
  }
}
