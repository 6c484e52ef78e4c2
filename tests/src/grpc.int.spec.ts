import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { credentials, loadPackageDefinition, Metadata, status, type Client, type ClientReadableStream, type GrpcObject, type ServiceClientConstructor } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { names } from '@paas/contracts';
import { connectNats, type NatsConnection } from '@paas/messaging';
import { firstMatch, NATS_URL } from '@paas/testing';
import { InProcessPlatform } from './in-process.js';

const KEY = 'grpc-key';

/** The paas.v1.Platform client, loaded from the .proto that @paas/contracts ships (as a user would). */
function platformClient(target: string): Client & Record<string, any> {
  const root = join(dirname(createRequire(import.meta.url).resolve('@paas/contracts/package.json')), 'proto');
  const def = loadSync('paas/v1/platform.proto', { keepCase: true, longs: Number, enums: String, defaults: true, oneofs: true, includeDirs: [root] });
  const Platform = ((loadPackageDefinition(def).paas as GrpcObject).v1 as GrpcObject).Platform as ServiceClientConstructor;
  return new Platform(target, credentials.createInsecure()) as Client & Record<string, any>;
}

function withKey(key: string | null): Metadata {
  const md = new Metadata();
  if (key !== null) md.set('authorization', `Bearer ${key}`);
  return md;
}

describe('the gRPC API serves the Platform API with the same key, errors and data as HTTP', () => {
  let p: InProcessPlatform | undefined;
  let client: Client & Record<string, any>;
  let nc: NatsConnection | undefined;
  const tails: ClientReadableStream<unknown>[] = [];

  /** One unary call, with the admin key unless told otherwise. */
  const call = <T = any>(method: string, req: object, key: string | null = KEY): Promise<T> =>
    new Promise((resolve, reject) => client[method](req, withKey(key), (err: Error | null, res: T) => (err ? reject(err) : resolve(res))));

  before(async () => {
    p = await InProcessPlatform.start('grpc', KEY);
    client = platformClient(p.grpcUrl);
    nc = await connectNats(NATS_URL, 'grpc-test');
  });

  after(async () => {
    for (const t of tails) t.cancel();
    client?.close();
    await nc?.close().catch(() => undefined);
    await p?.stop();
  });

  test('apps: create, list, get; a taken name, a bad name and an unknown app fail with their codes', async () => {
    const created = await call('CreateApp', { name: 'grpc-one' });
    assert.equal(created.name, 'grpc-one');
    assert.match(created.web_url, /^http:\/\/grpc-one\.localhost:\d+\/$/);
    assert.equal(created.owner.email, 'admin@paas.local');
    assert.equal(created.slug_size, undefined, 'no slug yet');

    const { apps: listed } = await call('ListApps', {});
    assert.deepEqual(listed.map((a: { name: string }) => a.name), ['grpc-one']);
    assert.equal((await call('GetApp', { app: created.id })).name, 'grpc-one', 'found by id');

    await assert.rejects(call('CreateApp', { name: 'grpc-one' }), { code: status.ALREADY_EXISTS, details: 'Name grpc-one is already taken' });
    await assert.rejects(call('CreateApp', { name: 'Bad_Name' }), (err: { code: number; details: string }) => {
      assert.equal(err.code, status.INVALID_ARGUMENT);
      assert.match(err.details, /^name: Name must start with a letter/);
      return true;
    });
    await assert.rejects(call('GetApp', { app: 'no-such-app' }), { code: status.NOT_FOUND, details: "Couldn't find that app." });
  });

  test('config vars: set and unset in one call make a new release', async () => {
    await call('CreateApp', { name: 'grpc-config' });
    const before = (await call('ListReleases', { app: 'grpc-config' })).releases.length;
    assert.deepEqual((await call('UpdateConfigVars', { app: 'grpc-config', set: { A: '1', B: '2' } })).vars, { A: '1', B: '2' });
    const after = await call('UpdateConfigVars', { app: 'grpc-config', set: { C: '3' }, unset: ['A'] });
    assert.deepEqual(after.vars, { B: '2', C: '3' });
    assert.deepEqual((await call('GetConfigVars', { app: 'grpc-config' })).vars, { B: '2', C: '3' });

    const { releases } = await call('ListReleases', { app: 'grpc-config' });
    assert.equal(releases.length, before + 2);
    const latest = releases.at(-1);
    assert.equal(latest.current, true);
    assert.equal(latest.app.name, 'grpc-config');
    assert.equal(latest.slug, null, 'a config release before any push has no slug');
    assert.equal((await call('GetRelease', { app: 'grpc-config', release: `v${latest.version}` })).id, latest.id);
    await assert.rejects(call('UpdateConfigVars', { app: 'grpc-config', set: { B: 'x' }, unset: ['B'] }), { code: status.INVALID_ARGUMENT });
  });

  test('formation: scaling a process type the app lacks (no slug yet) is NOT_FOUND', async () => {
    await call('CreateApp', { name: 'grpc-scale' });
    assert.deepEqual((await call('ListFormation', { app: 'grpc-scale' })).formation, []);
    await assert.rejects(call('ScaleFormation', { app: 'grpc-scale', updates: [{ type: 'web', quantity: 2 }] }),
      { code: status.NOT_FOUND, details: "Couldn't find that process type (web)." });
    await assert.rejects(call('ScaleFormation', { app: 'grpc-scale', updates: [{ type: 'web', size: 'huge' }] }), { code: status.INVALID_ARGUMENT });
    assert.deepEqual((await call('ListDynos', { app: 'grpc-scale' })).dynos, []);
  });

  test('a missing or wrong key is UNAUTHENTICATED with the HTTP messages', async () => {
    await assert.rejects(call('ListApps', {}, null),
      { code: status.UNAUTHENTICATED, details: 'No credentials provided. Send your API key as "Authorization: Bearer <key>".' });
    await assert.rejects(call('ListApps', {}, 'wrong-key'), { code: status.UNAUTHENTICATED, details: 'Invalid credentials provided.' });
  });

  test('builds: none before a push; an unknown build is NOT_FOUND, a malformed id INVALID_ARGUMENT', async () => {
    assert.deepEqual((await call('ListBuilds', { app: 'grpc-one' })).builds ?? [], []);
    await assert.rejects(call('GetBuild', { app: 'grpc-one', build: '00000000-0000-4000-8000-000000000000' }), { code: status.NOT_FOUND, details: "Couldn't find that build." });
    await assert.rejects(call('GetBuild', { app: 'grpc-one', build: 'nope' }), { code: status.INVALID_ARGUMENT });
  });

  test('a user\'s API token works too, and sees only that user\'s apps', async () => {
    const http = (path: string, init: RequestInit) => fetch(`${p!.apiUrl}${path}`, init);
    const made = await http('/accounts', { method: 'POST', headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' }, body: JSON.stringify({ email: 'grpc-user@example.com', password: 'grpc-password' }) });
    assert.equal(made.status, 201);
    const issued = await http('/oauth/authorizations', { method: 'POST', headers: { authorization: `Basic ${Buffer.from('grpc-user@example.com:grpc-password').toString('base64')}` } });
    const token = ((await issued.json()) as { access_token: { token: string } }).access_token.token;
    const mine = await call('CreateApp', { name: 'grpc-mine' }, token);
    assert.equal(mine.owner.email, 'grpc-user@example.com');
    const { apps } = await call('ListApps', {}, token);
    assert.deepEqual(apps.map((a: { name: string }) => a.name), ['grpc-mine']);
    await assert.rejects(call('GetApp', { app: 'grpc-one' }, token), { code: status.NOT_FOUND, details: "Couldn't find that app." });
  });

  test('TailLogs streams the lines published on the app log subject', async () => {
    const app = await call('CreateApp', { name: 'grpc-logs' });
    const tail: ClientReadableStream<{ ts: string; source: string; dyno: string; line: string }> = client.TailLogs({ app: 'grpc-logs' }, withKey(KEY));
    tails.push(tail);
    tail.on('error', () => undefined); // the cancel in after() ends it with CANCELLED
    // The server sends its metadata once the subscription is live: from then on no line is lost.
    await new Promise((resolve, reject) => { tail.once('metadata', resolve); tail.once('error', reject); });
    const sent = { ts: new Date().toISOString(), source: 'app', dyno: 'web.1', line: 'hello over grpc' };
    nc!.publish(names(p!.namespace).logSubject(app.id), 'not json: skipped');
    nc!.publish(names(p!.namespace).logSubject(app.id), JSON.stringify(sent));
    // Other lines (the platform's own `app[api]` release lines) may come first; ours must arrive whole.
    const got = await firstMatch(tail, (l) => l.dyno === 'web.1', 'the published line on the tail');
    assert.deepEqual(got, sent);
  });

  test('TailLogs of an unknown app ends with NOT_FOUND', async () => {
    const tail: ClientReadableStream<unknown> = client.TailLogs({ app: 'no-such-app' }, withKey(KEY));
    tails.push(tail);
    const err = await new Promise<{ code: number; details: string }>((resolve) => tail.once('error', resolve));
    assert.equal(err.code, status.NOT_FOUND);
    assert.equal(err.details, "Couldn't find that app.");
  });
});
