import { Inject, Injectable } from '@nestjs/common';
import { z } from 'zod';
import {
  AddDomain, appName, CreateApp, DestroyApp, dynoSize, GetApp, GetConfigVars, GetFormation, GetRelease, ListApps, ListDomains,
  ListDynos, ListReleases, PaasError, RemoveDomain, RestartDynos, RollbackRelease, RunDyno, StopDynos, ScaleFormation, SetConfigVars, configVarName,
  type AppInfo,
} from '@paas/contracts';
import { RpcClient } from '@paas/messaging';
import type { ApiSettings } from './config.js';
import {
  defaultHostname, domainId, parseQuantity, presentApp, presentCollaborator, presentDomain, presentDyno, presentFormation, presentRelease, type Site,
} from './domain/presenters.js';
import { RendezvousListener } from './rendezvous/rendezvous-listener.js';
import { SETTINGS } from './tokens.js';

const createBody = z.object({ name: appName.optional(), region: z.string().optional(), stack: z.string().optional() }).nullish();
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

  get by(): string {
    return this.settings.adminEmail;
  }

  account() {
    return { id: presentApp(this.site, { owner: this.by } as never).owner.id, email: this.by, name: 'Admin', allow_tracking: false, beta: false, verified: true, two_factor_authentication: false };
  }

  async createApp(body: unknown) {
    const b = createBody.parse(body) ?? {};
    return presentApp(this.site, await this.rpc.request(CreateApp, { name: b.name, by: this.by }));
  }

  async listApps() {
    return (await this.rpc.request(ListApps, {})).map((a) => presentApp(this.site, a));
  }

  async getApp(app: string) {
    return presentApp(this.site, await this.rpc.request(GetApp, { app }));
  }

  async destroyApp(app: string) {
    return presentApp(this.site, await this.rpc.request(DestroyApp, { app, by: this.by }));
  }

  getConfig(app: string) {
    return this.rpc.request(GetConfigVars, { app });
  }

  async setConfig(app: string, body: unknown) {
    const changes = configBody.parse(body ?? {});
    return (await this.rpc.request(SetConfigVars, { app, changes, by: this.by })).config;
  }

  async listReleases(app: string) {
    return (await this.rpc.request(ListReleases, { app })).map((r) => presentRelease(this.site, r));
  }

  async getRelease(app: string, release: string) {
    return presentRelease(this.site, await this.rpc.request(GetRelease, { app, release }));
  }

  async releaseConfig(app: string, release: string) {
    return (await this.rpc.request(GetRelease, { app, release })).config;
  }

  async rollback(app: string, body: unknown) {
    const { release } = z.object({ release: z.union([z.string(), z.number()]) }).parse(body);
    return presentRelease(this.site, await this.rpc.request(RollbackRelease, { app, release: String(release), by: this.by }));
  }

  async formation(app: string) {
    const a = await this.rpc.request(GetApp, { app });
    return (await this.rpc.request(GetFormation, { app: a.id })).map((f) => presentFormation(a, f));
  }

  async scale(app: string, body: unknown) {
    const updates = formationBody.parse(body).updates.map((u) => ({
      type: u.type,
      quantity: parseQuantity(u.quantity),
      size: u.size === undefined ? undefined : dynoSize.parse(u.size.toLowerCase()),
    }));
    const a = await this.rpc.request(GetApp, { app });
    return (await this.rpc.request(ScaleFormation, { app: a.id, updates, by: this.by })).map((f) => presentFormation(a, f));
  }

  /** No add-on services exist yet: an app's add-ons and attachments are empty lists. */
  async addons(app: string) {
    await this.rpc.request(GetApp, { app });
    return [];
  }

  /** Until accounts exist, the owner is the app's only collaborator. */
  async collaborators(app: string) {
    const a = await this.rpc.request(GetApp, { app });
    return [presentCollaborator(a, a.owner)];
  }

  /** The default domain every app has (`<app>.<domain>`, not stored), then the custom ones, oldest first. */
  async domains(app: string) {
    const a = await this.rpc.request(GetApp, { app });
    const custom = await this.rpc.request(ListDomains, { app: a.id });
    return [presentDomain(this.site, a), ...custom.map((d) => presentDomain(this.site, a, d))];
  }

  /** One domain, named by hostname or id (`heroku domains:info`). */
  async domain(app: string, ref: string) {
    const all = await this.domains(app);
    const found = all.find((d) => d.id === ref.toLowerCase() || d.hostname === ref.toLowerCase());
    if (!found) throw new PaasError('not_found', "Couldn't find that domain.");
    return found;
  }

  async addDomain(app: string, body: unknown) {
    const { hostname } = domainBody.parse(body);
    const a = await this.rpc.request(GetApp, { app });
    // Names under the platform's own domain are the apps' default domains: they are routed already.
    const host = hostname.trim().toLowerCase();
    if (host === this.site.domain || host.endsWith(`.${this.site.domain}`)) {
      throw new PaasError('invalid_params', `${hostname} is under the platform's domain ${this.site.domain}: every app already answers at <app>.${this.site.domain}. Add a domain you own.`);
    }
    return presentDomain(this.site, a, await this.rpc.request(AddDomain, { app: a.id, hostname, by: this.by }));
  }

  /** Removes a custom domain named by hostname or id; the default domain cannot be removed. */
  async removeDomain(app: string, ref: string) {
    const a = await this.rpc.request(GetApp, { app });
    const hostname = UUID.test(ref) ? await this.hostnameOf(a, ref) : ref;
    if (hostname.trim().toLowerCase() === defaultHostname(this.site, a)) {
      throw new PaasError('invalid_params', `${hostname} is the app's default domain: it cannot be removed (it goes with the app).`);
    }
    return presentDomain(this.site, a, await this.rpc.request(RemoveDomain, { app: a.id, hostname, by: this.by }));
  }

  private async hostnameOf(a: AppInfo, id: string): Promise<string> {
    const custom = await this.rpc.request(ListDomains, { app: a.id });
    const found = custom.find((d) => domainId(a, d.hostname) === id.toLowerCase());
    if (!found) throw new PaasError('not_found', "Couldn't find that domain.");
    return found.hostname;
  }

  /** No SNI endpoints (custom certificates) exist yet; `domains:add` asks for them first. */
  async sniEndpoints(app: string) {
    await this.rpc.request(GetApp, { app });
    return [];
  }

  /**
   * Starts a one-off dyno (`heroku run:detached`), or with `attach` creates one that starts once the
   * client connects to the returned attach_url (`heroku run`, see rendezvous/).
   */
  async runDyno(app: string, body: unknown) {
    const b = runBody.parse(body);
    const a = await this.rpc.request(GetApp, { app });
    const size = b.size === undefined ? undefined : dynoSize.parse(b.size.toLowerCase());
    const d = await this.rpc.request(RunDyno, { appId: a.id, command: b.command, env: b.env, size, by: this.by, ...(b.attach ? { attach: true } : {}) });
    if (!b.attach) return presentDyno(d, null);
    const attachUrl = this.rendezvous.offer({ appId: a.id, dynoId: d.id, name: d.name });
    return { ...presentDyno(d, null), attach_url: attachUrl };
  }

  /** Restarts (or stops) all dynos, one process type (`web`) or one dyno (`web.1`). */
  async restartDynos(app: string, target?: string, stop = false) {
    const a = await this.rpc.request(GetApp, { app });
    const which = target === undefined ? {} : target.includes('.') ? { name: target } : { type: target };
    await this.rpc.request(stop ? StopDynos : RestartDynos, { appId: a.id, ...which, by: this.by });
    return {};
  }

  async dynos(app: string) {
    const a = await this.rpc.request(GetApp, { app });
    const releases = await this.rpc.request(ListReleases, { app: a.id });
    const ids = new Map(releases.map((r) => [r.version, r.id]));
    return (await this.rpc.request(ListDynos, { appId: a.id })).map((d) => presentDyno(d, ids.get(d.releaseVersion) ?? null));
  }
}
