import { randomUUID } from 'node:crypto';
import { jetstream, type JetStreamClient } from '@nats-io/jetstream';
import { headers, type NatsConnection } from '@nats-io/transport-node';
import type { Envelope, EventContract, Names } from '@paas/contracts';
import { contextFromHeaders, currentTraceHeaders, inSpan, SpanKind, trace } from '@paas/telemetry';

export interface PublishOptions {
  appId: string;
  causationId?: string | null;
  correlationId?: string;
  id?: string;
}

/** Builds an envelope around a payload; the caller publishes or stores it. */
export function makeEnvelope<T extends string, D>(contract: EventContract<T, D>, data: D, o: PublishOptions): Envelope<T, D> {
  const id = o.id ?? randomUUID();
  return contract.schema.parse({
    id, type: contract.type, version: contract.version, appId: o.appId,
    occurredAt: new Date().toISOString(), causationId: o.causationId ?? null,
    correlationId: o.correlationId ?? id, data,
  });
}

/** Publishes events to JetStream: validated, deduplicated by event id, with the trace context in headers. */
export class EventPublisher {
  private readonly js: JetStreamClient;
  constructor(nc: NatsConnection, private readonly n: Names, private readonly service: string) {
    this.js = jetstream(nc);
  }

  async publish<T extends string, D>(contract: EventContract<T, D>, data: D, o: PublishOptions): Promise<Envelope<T, D>> {
    const envelope = makeEnvelope(contract, data, o);
    await this.publishEnvelope(contract, envelope);
    return envelope;
  }

  /** Publishes an envelope made elsewhere (the release outbox), under the trace it was recorded in. */
  async publishEnvelope<T extends string, D>(contract: EventContract<T, D>, envelope: Envelope<T, D>, trace0?: Record<string, string>): Promise<void> {
    const valid = contract.schema.parse(envelope);
    const tracer = trace.getTracer(this.service);
    const parent = trace0 ? contextFromHeaders(trace0) : undefined;
    await inSpan(tracer, `${contract.type} publish`, { kind: SpanKind.PRODUCER, parent, attributes: { 'messaging.system': 'nats', 'paas.event.id': valid.id, 'paas.app.id': valid.appId } }, async () => {
      const h = headers();
      h.set('Nats-Msg-Id', valid.id);
      h.set('Paas-Event-Type', valid.type);
      for (const [k, v] of Object.entries(currentTraceHeaders())) h.set(k, v);
      await this.js.publish(this.n.eventSubject(valid.type, valid.appId), JSON.stringify(valid), { msgID: valid.id, headers: h });
    });
  }
}
