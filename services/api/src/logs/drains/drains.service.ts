import { Injectable } from '@nestjs/common';
import { z } from 'zod';
import { ACCEPTED_DRAIN_URLS, AddLogDrain, drainTarget, drainUrlProblem, GetApp, ListLogDrains, PaasError, RemoveLogDrain, type LogDrainInfo } from '@paas/contracts';
import { RpcClient } from '@paas/messaging';
import { scopeOf, type Actor } from '../../actor.js';
import { drainAddressTarget, AddressGuard } from '../../net/address-guard.js';

const addBody = z.object({ url: z.string({ message: `url is required: the log drain to add (${ACCEPTED_DRAIN_URLS})` }).min(1) }, {
  message: `Send an object such as {"url": "syslog+tls://logs.example.com:6514"}: ${ACCEPTED_DRAIN_URLS}.`,
});

/** A log drain in Platform API v3 shape; drains added by add-ons would name theirs, ours have none. */
export function presentDrain(d: LogDrainInfo) {
  return { addon: null, created_at: seconds(d.createdAt), id: d.id, token: d.token, updated_at: seconds(d.updatedAt), url: d.url };
}

function seconds(iso: string): string {
  return iso.replace(/\.\d+Z$/, 'Z');
}

/** `heroku drains`, `drains:add`, `drains:remove`: the app's log drains, recorded by the release service. */
@Injectable()
export class DrainsService {
  constructor(private readonly rpc: RpcClient, private readonly addresses: AddressGuard) {}

  async list(actor: Actor, app: string) {
    const a = await this.rpc.request(GetApp, { app, ...scopeOf(actor) });
    return (await this.rpc.request(ListLogDrains, { app: a.id })).map(presentDrain);
  }

  /** One drain, named by id, url or token. */
  async get(actor: Actor, app: string, ref: string) {
    const all = await this.list(actor, app);
    const found = all.find((d) => d.id === ref.toLowerCase() || d.token === ref.toLowerCase() || d.url === ref);
    if (!found) throw new PaasError('not_found', "Couldn't find that log drain.");
    return found;
  }

  async add(actor: Actor, app: string, body: unknown) {
    const { url } = addBody.parse(body);
    const a = await this.rpc.request(GetApp, { app, ...scopeOf(actor) });
    // Only a URL the release service will take is looked up; its own checks say what is wrong with the rest.
    if (!drainUrlProblem(url)) await this.addresses.checkDrain(new URL(url), drainAddressTarget(drainTarget(url)));
    return presentDrain(await this.rpc.request(AddLogDrain, { app: a.id, url, by: actor.email }));
  }

  async remove(actor: Actor, app: string, ref: string) {
    const a = await this.rpc.request(GetApp, { app, ...scopeOf(actor) });
    return presentDrain(await this.rpc.request(RemoveLogDrain, { app: a.id, drain: ref, by: actor.email }));
  }
}
