import 'reflect-metadata';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Controller, Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Payload } from '@nestjs/microservices';
import { jetstreamManager, jetstream } from '@nats-io/jetstream';
import { z } from 'zod';
import { defineRpc, names, notFound, PaasError, SlugBuilt, type EventOf } from '@paas/contracts';
import { InMemorySpanExporter, initTelemetry } from '@paas/telemetry';
import { cleanup, freshNamespace, testMessagingSettings, waitFor } from '@paas/testing';
import { connectNats, EventPublisher, HandleRpc, MessagingModule, OnEvent, RpcClient, startMessaging, type NatsConnection } from '../src/index.js';

const spans = new InMemorySpanExporter();
initTelemetry('messaging-test', { exporter: spans });

const Echo = defineRpc('builder', 'Echo', z.strictObject({ text: z.string() }), z.strictObject({ text: z.string() }));
const Missing = defineRpc('builder', 'Missing', z.strictObject({}), z.strictObject({}));
const Nobody = defineRpc('router', 'Nobody', z.strictObject({}), z.strictObject({}));

type Slug = EventOf<typeof SlugBuilt>;
const seen: Slug[] = [];
const attempts = new Map<string, number>();
/** Build ids whose handler fails this many times before succeeding (Infinity: always). */
const failures = new Map<string, number>();

@Controller()
class TestController {
  @OnEvent(SlugBuilt)
  onSlugBuilt(@Payload() e: Slug) {
    const n = (attempts.get(e.data.buildId) ?? 0) + 1;
    attempts.set(e.data.buildId, n);
    if (n <= (failures.get(e.data.buildId) ?? 0)) throw new Error(`failing try ${n}`);
    seen.push(e);
  }

  @HandleRpc(Echo)
  echo(@Payload() req: { text: string }) {
    return { text: req.text.toUpperCase() };
  }

  @HandleRpc(Missing)
  missing() {
    throw notFound("Couldn't find that app.");
  }
}

function slugBuilt(buildId: string) {
  return {
    appName: 'myapp', buildId,
    slug: { id: randomUUID(), blob: { key: 'slugs/x.tgz', checksum: `sha256:${'a'.repeat(64)}`, size: 1 }, processTypes: { web: 'node server.js' }, commit: 'abc', buildpack: 'node', stack: 'heroku-24' },
  };
}

describe('messaging against a real NATS server', () => {
  const ns = freshNamespace('msg');
  const settings = testMessagingSettings(ns);
  let app: INestApplication;
  let nc: NatsConnection;
  let publisher: EventPublisher;
  let rpc: RpcClient;

  before(async () => {
    @Module({ imports: [MessagingModule.forRoot('builder', settings)], controllers: [TestController] })
    class TestModule {}
    app = await NestFactory.create(TestModule, { logger: ['error', 'warn'] });
    await startMessaging(app);
    await app.init();
    nc = await connectNats(settings.natsUrl, 'test');
    publisher = new EventPublisher(nc, names(ns), 'test');
    rpc = new RpcClient(nc, names(ns), 'test', 2000);
  });

  after(async () => {
    await app?.close();
    await nc?.close();
    await cleanup({ namespace: ns });
  });

  test('an event is validated, delivered to its handler and acked, with its trace context', async () => {
    const buildId = randomUUID();
    const sent = await publisher.publish(SlugBuilt, slugBuilt(buildId), { appId: randomUUID() });
    const got = await waitFor('the handler to see the event', () => seen.find((e) => e.data.buildId === buildId));
    assert.equal(got.id, sent.id);
    const jsm = await jetstreamManager(nc);
    await waitFor('the consumer to have nothing pending', async () => {
      const info = await jsm.consumers.info(names(ns).eventsStream, 'builder-SlugBuilt');
      return info.num_ack_pending === 0 && info.num_pending === 0;
    });
    const publish = spans.getFinishedSpans().find((s) => s.name === 'SlugBuilt publish' && s.attributes['paas.event.id'] === sent.id);
    const processed = spans.getFinishedSpans().find((s) => s.name === 'SlugBuilt process' && s.attributes['paas.event.id'] === sent.id);
    assert.ok(publish && processed, 'both spans recorded');
    assert.equal(processed.spanContext().traceId, publish.spanContext().traceId);
    assert.equal(processed.parentSpanContext?.spanId, publish.spanContext().spanId);
  });

  test('a publish with the same event id is stored once (Nats-Msg-Id)', async () => {
    const buildId = randomUUID();
    const e = await publisher.publish(SlugBuilt, slugBuilt(buildId), { appId: randomUUID() });
    await publisher.publishEnvelope(SlugBuilt, e);
    await waitFor('delivery', () => seen.some((s) => s.data.buildId === buildId));
    const info = await (await jetstreamManager(nc)).streams.getMessage(names(ns).eventsStream, { last_by_subj: names(ns).eventSubject('SlugBuilt', e.appId) });
    assert.equal(info?.seq !== undefined, true);
    const count = (await (await jetstreamManager(nc)).streams.info(names(ns).eventsStream, { subjects_filter: names(ns).eventSubject('SlugBuilt', e.appId) })).state.subjects;
    assert.deepEqual(count, { [names(ns).eventSubject('SlugBuilt', e.appId)]: 1 });
  });

  test('a handler that throws is redelivered until it succeeds', async () => {
    const buildId = randomUUID();
    failures.set(buildId, 2);
    await publisher.publish(SlugBuilt, slugBuilt(buildId), { appId: randomUUID() });
    await waitFor('the third try to succeed', () => seen.some((e) => e.data.buildId === buildId));
    assert.equal(attempts.get(buildId), 3);
  });

  test('after maxDeliver failed tries the event is parked with the reason, not dropped', async () => {
    const buildId = randomUUID();
    failures.set(buildId, Infinity);
    const sent = await publisher.publish(SlugBuilt, slugBuilt(buildId), { appId: randomUUID() });
    const js = jetstream(nc);
    const parked = await waitFor('the parked copy', async () => {
      const m = await (await jetstreamManager(nc)).streams.getMessage(`${names(ns).eventsStream}_PARKED`, { last_by_subj: `${ns}.parked.builder.SlugBuilt` }).catch(() => null);
      return m && m.json<{ id: string }>().id === sent.id ? m : undefined;
    });
    assert.match(parked.header.get('Paas-Parked-Reason'), /failing try 3/);
    assert.equal(attempts.get(buildId), settings.maxDeliver);
    assert.ok(js);
  });

  test('an event that does not match its schema is parked at once', async () => {
    const js = jetstream(nc);
    const appId = randomUUID();
    await js.publish(names(ns).eventSubject('SlugBuilt', appId), JSON.stringify({ type: 'SlugBuilt', surprise: true }));
    const parked = await waitFor('the parked copy', async () => {
      const m = await (await jetstreamManager(nc)).streams.getMessage(`${names(ns).eventsStream}_PARKED`, { last_by_subj: `${ns}.parked.builder.SlugBuilt` }).catch(() => null);
      return m && m.header.get('Paas-Original-Subject') === names(ns).eventSubject('SlugBuilt', appId) ? m : undefined;
    });
    assert.match(parked.header.get('Paas-Parked-Reason'), /invalid SlugBuilt/);
  });

  test('publishing an invalid payload fails before anything is sent', async () => {
    await assert.rejects(publisher.publish(SlugBuilt, { ...slugBuilt(randomUUID()), extra: 1 } as never, { appId: randomUUID() }));
  });

  test('request/reply returns the answer, typed errors and validation errors', async () => {
    assert.deepEqual(await rpc.request(Echo, { text: 'hi' }), { text: 'HI' });
    await assert.rejects(rpc.request(Missing, {}), (e: PaasError) => e.id === 'not_found' && e.message === "Couldn't find that app.");
    await assert.rejects(rpc.request(Echo, { text: 1 } as never), /expected string/);
    const raw = await nc.request(names(ns).rpcSubject('builder', 'Echo'), JSON.stringify({ text: 1 }), { timeout: 2000 });
    assert.equal(raw.json<{ error: { id: string } }>().error.id, 'invalid_params');
  });

  test('a service that is not running is a typed unavailable error', async () => {
    await assert.rejects(rpc.request(Nobody, {}), (e: PaasError) => e.id === 'unavailable' && /router service is not running/.test(e.message));
  });

  test('another namespace does not see these messages', async () => {
    const other = new RpcClient(nc, names(freshNamespace('other')), 'test', 1000);
    await assert.rejects(other.request(Echo, { text: 'hi' }), (e: PaasError) => e.id === 'unavailable');
    const jsm = await jetstreamManager(nc);
    const streams: string[] = [];
    for await (const s of jsm.streams.list()) streams.push(s.config.name);
    assert.ok(streams.every((s) => !s.startsWith(ns.toUpperCase()) || s.startsWith(`${ns.toUpperCase()}_`)));
  });
});
