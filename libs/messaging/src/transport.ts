import { Logger } from '@nestjs/common';
import { BaseRpcContext, Server, type CustomTransportStrategy, type MessageHandler } from '@nestjs/microservices';
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, type ConsumerMessages, type JsMsg } from '@nats-io/jetstream';
import { headers as natsHeaders, type Msg, type MsgHdrs, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import { lastValueFrom } from 'rxjs';
import { z } from 'zod';
import { isPaasError, pingFor, type EventContract, type Names, type RpcContract, type ServiceName } from '@paas/contracts';
import { contextFromHeaders, inSpan, SpanKind, trace } from '@paas/telemetry';
import type { MessagingSettings } from './connection.js';
import type { RpcReply } from './rpc-client.js';
import { ensureStreams } from './streams.js';

/*
 * How long a delivered message may go unacked before JetStream redelivers it (handlers that run
 * longer keep it with working() every third of it), and how long one pull request lives. Both are
 * short on purpose: nats-server 2.9 keeps a pull request of a client that went away (a restarted
 * service) until it expires, and a message it swallows comes back only after ack_wait.
 */
const ACK_WAIT_MS = 10_000;
const PULL_EXPIRES_MS = 5_000;

/** What a handler can reach besides its payload: the subject and the NATS headers. */
export class NatsContext extends BaseRpcContext<[string, MsgHdrs | undefined]> {
  get subject(): string { return this.args[0]; }
  get headers(): MsgHdrs | undefined { return this.args[1]; }
}

/**
 * Nest transport over NATS: @OnEvent methods become durable JetStream consumers with explicit
 * ack, retry with backoff and parking after maxDeliver tries; @HandleRpc methods answer
 * request/reply in a queue group, so several processes of one service share the work.
 */
export class JetStreamTransport extends Server implements CustomTransportStrategy {
  private readonly log: Logger;
  private readonly consumers: ConsumerMessages[] = [];
  private readonly subs: Subscription[] = [];
  private readonly running = new Set<Promise<unknown>>();
  private readonly seen = new Map<string, number>();
  private readonly startedAt = Date.now();

  constructor(
    private readonly nc: NatsConnection,
    private readonly n: Names,
    private readonly service: ServiceName,
    private readonly settings: MessagingSettings,
  ) {
    super();
    this.log = new Logger(`${service}:nats`);
  }

  async listen(callback: (err?: unknown) => void): Promise<void> {
    try {
      await ensureStreams(this.nc, this.n, this.settings.logLines);
      for (const [pattern, handler] of this.messageHandlers) {
        const contract = handler.extras?.contract;
        if (!contract) throw new Error(`handler for "${pattern}" was not declared with @OnEvent or @HandleRpc`);
        if (handler.isEventHandler) await this.consume(contract as EventContract, handler);
        else this.answer(contract as RpcContract, handler);
      }
      this.answer(pingFor(this.service), async () => ({ service: this.service, pid: process.pid, uptimeMs: Date.now() - this.startedAt }));
      callback();
    } catch (err) {
      callback(err);
    }
  }

  async close(): Promise<void> {
    for (const c of this.consumers) await c.close().catch(() => undefined);
    for (const s of this.subs) s.unsubscribe();
    await Promise.allSettled([...this.running]);
  }

  on(): void {
    throw new Error('JetStreamTransport has no transport events to listen to');
  }

  unwrap<T>(): T {
    return this.nc as T;
  }

  private async consume(contract: EventContract, handler: MessageHandler): Promise<void> {
    const durable = this.n.durable(this.service, contract.type);
    const jsm = await jetstreamManager(this.nc);
    const config = {
      durable_name: durable,
      filter_subject: this.n.eventFilter(contract.type),
      ack_policy: AckPolicy.Explicit,
      // A consumer created after events were published still sees them: nothing is lost.
      deliver_policy: DeliverPolicy.All,
      ack_wait: ACK_WAIT_MS * 1e6,
      // Tries are counted here, not by the server, so a message is parked before it is let go.
      max_deliver: -1,
    };
    try {
      await jsm.consumers.info(this.n.eventsStream, durable);
      await jsm.consumers.update(this.n.eventsStream, durable, { ack_wait: config.ack_wait });
    } catch {
      await jsm.consumers.add(this.n.eventsStream, config).catch(async (err: Error) => {
        if (!/already (in use|exists)/i.test(err.message)) throw err;
      });
    }
    const consumer = await jetstream(this.nc).consumers.get(this.n.eventsStream, durable);
    const messages = await consumer.consume({ max_messages: 16, expires: PULL_EXPIRES_MS });
    this.consumers.push(messages);
    const loop = (async () => {
      for await (const m of messages) {
        const work = this.handleEvent0(m, contract, handler);
        this.running.add(work);
        await work;
        this.running.delete(work);
      }
    })();
    loop.catch((err) => this.log.error(`consumer ${durable} stopped: ${(err as Error).message}`));
  }

  private async handleEvent0(m: JsMsg, contract: EventContract, handler: MessageHandler): Promise<void> {
    let envelope: { id: string; appId: string; type: string };
    try {
      envelope = contract.schema.parse(JSON.parse(m.string())) as typeof envelope;
    } catch (err) {
      // Retrying cannot make a malformed message valid: park it at once.
      await this.park(m, contract.type, `invalid ${contract.type}: ${describe(err)}`);
      return;
    }
    if (this.seen.has(envelope.id)) {
      m.ack();
      return;
    }
    const heartbeat = setInterval(() => m.working(), ACK_WAIT_MS / 3);
    try {
      await inSpan(trace.getTracer(this.service), `${contract.type} process`, {
        kind: SpanKind.CONSUMER,
        parent: contextFromHeaders(headersToObject(m.headers)),
        attributes: { 'messaging.system': 'nats', 'paas.event.id': envelope.id, 'paas.app.id': envelope.appId },
      }, async () => {
        const out = this.transformToObservable(await handler(envelope, new NatsContext([m.subject, m.headers])));
        await lastValueFrom(out, { defaultValue: undefined });
      });
      m.ack();
      this.remember(envelope.id);
    } catch (err) {
      const tries = m.info.deliveryCount;
      if (tries >= this.settings.maxDeliver) {
        await this.park(m, contract.type, describe(err));
      } else {
        const delay = this.settings.retryDelayMs * 2 ** (tries - 1);
        this.log.warn(`${contract.type} ${envelope.id} failed (try ${tries} of ${this.settings.maxDeliver}), retrying in ${delay} ms: ${describe(err)}`);
        m.nak(delay);
      }
    } finally {
      clearInterval(heartbeat);
    }
  }

  /** Moves a message that cannot be handled to the parked stream, then lets it go; never drops it. */
  private async park(m: JsMsg, type: string, reason: string): Promise<void> {
    try {
      const h = natsHeaders();
      h.set('Paas-Parked-Reason', reason.slice(0, 1000));
      h.set('Paas-Original-Subject', m.subject);
      h.set('Paas-Deliveries', String(m.info.deliveryCount));
      await jetstream(this.nc).publish(`${this.n.namespace}.parked.${this.service}.${type}`, m.data, { headers: h });
      this.log.error(`parked ${type} (stream seq ${m.seq}) after ${m.info.deliveryCount} tries: ${reason}`);
      m.term(reason.slice(0, 200));
    } catch (err) {
      this.log.error(`could not park ${type} (seq ${m.seq}), it will be redelivered: ${(err as Error).message}`);
      m.nak(this.settings.retryDelayMs);
    }
  }

  private remember(id: string): void {
    this.seen.set(id, Date.now());
    if (this.seen.size > 10_000) this.seen.delete(this.seen.keys().next().value!);
  }

  private answer(contract: RpcContract, handler: MessageHandler | ((req: unknown) => Promise<unknown>)): void {
    const sub = this.nc.subscribe(this.n.rpcSubject(this.service, contract.name), { queue: `${this.n.namespace}.${this.service}` });
    this.subs.push(sub);
    (async () => {
      for await (const msg of sub) {
        const work = this.reply(msg, contract, handler);
        this.running.add(work);
        void work.finally(() => this.running.delete(work));
      }
    })().catch((err) => this.log.error(`rpc ${contract.name} stopped: ${(err as Error).message}`));
  }

  private async reply(msg: Msg, contract: RpcContract, handler: MessageHandler | ((req: unknown) => Promise<unknown>)): Promise<void> {
    let reply: RpcReply;
    try {
      reply = await inSpan(trace.getTracer(this.service), `${this.service}.${contract.name}`, {
        kind: SpanKind.SERVER, parent: contextFromHeaders(headersToObject(msg.headers)),
      }, async () => {
        const parsed = contract.request.safeParse(JSON.parse(msg.string() || '{}'));
        if (!parsed.success) {
          return { ok: false as const, error: { id: 'invalid_params' as const, message: describe(parsed.error) } };
        }
        const out = await (handler as MessageHandler)(parsed.data, new NatsContext([msg.subject, msg.headers]));
        const data = await lastValueFrom(this.transformToObservable(out), { defaultValue: undefined });
        return { ok: true as const, data: contract.response.parse(data) };
      });
    } catch (err) {
      if (isPaasError(err)) {
        reply = { ok: false, error: { id: err.id, message: err.message } };
      } else {
        this.log.error(`${contract.name} failed: ${(err as Error).stack ?? err}`);
        reply = { ok: false, error: { id: 'internal', message: `The ${this.service} service failed while handling ${contract.name}.` } };
      }
    }
    if (msg.reply) msg.respond(JSON.stringify(reply));
  }
}

/** A readable one-line description of an error, including schema validation errors. */
export function describe(err: unknown): string {
  if (err instanceof z.ZodError) return err.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ` : '') + i.message).join('; ');
  return err instanceof Error ? err.message : String(err);
}

export function headersToObject(h: MsgHdrs | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!h) return out;
  for (const [k, v] of h) out[k.toLowerCase()] = v[0] ?? '';
  return out;
}
