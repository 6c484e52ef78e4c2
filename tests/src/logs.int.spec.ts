import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { names, newLogLine, type LogSource } from '@paas/contracts';
import { connectNats, type NatsConnection } from '@paas/messaging';
import { freshNamespace, NATS_URL, waitFor } from '@paas/testing';
import { InProcessPlatform } from './in-process.js';
import { openSse, parseSse, type SseReader } from './sse.js';

const KEY = 'logs-key';
const SECRET = 'greeting-value-never-logged';
const STAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00 (app|heroku)\[[a-z0-9.]+\]: /;

describe('heroku logs: log sessions stream an app\'s log over server-sent events', () => {
  const namespace = freshNamespace('logs');
  const n = names(namespace);
  let p: InProcessPlatform | undefined;
  const open: SseReader[] = [];
  let url: string;
  let nc: NatsConnection | undefined;
  let appId: string;

  const api = (method: string, path: string, body?: unknown, key: string | null = KEY) => fetch(`${url}${path}`, {
    method, body: body === undefined ? undefined : JSON.stringify(body),
    headers: { 'content-type': 'application/json', accept: 'application/vnd.heroku+json; version=3', ...(key ? { authorization: `Bearer ${key}` } : {}) },
  });
  /** The logplex_url of a new session of the app. */
  const session = async (body: object = {}): Promise<string> => {
    const res = await api('POST', '/apps/logs-app/log-sessions', body);
    assert.equal(res.status, 201, await res.clone().text());
    return ((await res.json()) as { logplex_url: string }).logplex_url;
  };
  /** The data lines of a whole (non-tail) session, after checking it starts with retry. */
  const history = async (body: object = {}): Promise<string[]> => {
    const res = await fetch(await session(body), { headers: { accept: 'text/event-stream' } });
    assert.equal(res.status, 200);
    const text = await res.text();
    assert.ok(text.startsWith('retry: 1000\n\n'), text.slice(0, 40));
    return parseSse(text).filter((b) => b.data !== undefined).map((b) => b.data!);
  };
  /** Appends a line to the app's log as a dyno or the router would, once JetStream stored it. */
  const publish = (source: LogSource, dyno: string, line: string) =>
    jetstream(nc!).publish(n.logSubject(appId), JSON.stringify(newLogLine(source, dyno, line)));

  before(async () => {
    p = await InProcessPlatform.start('logs', KEY, { namespace });
    url = p.apiUrl;
    nc = await connectNats(NATS_URL, 'logs-spec');

    const created = await api('POST', '/apps', { name: 'logs-app' });
    assert.equal(created.status, 201);
    appId = ((await created.json()) as { id: string }).id;
    assert.equal((await api('PATCH', '/apps/logs-app/config-vars', { GREETING: SECRET })).status, 200);
    // The release service writes its app[api] lines after the commit, asynchronously: wait for them.
    await waitFor('the app[api] line of release v2', async () => (await history()).some((l) => l.endsWith('app[api]: Release v2 created by user admin@paas.local')));
    for (const line of ['web one', 'web two', 'web three']) await publish('app', 'web.1', line);
    await publish('heroku', 'router', 'at=info method=GET path="/" status=200');
    await publish('app', 'worker.1', 'worker says hi');
  });

  after(async () => {
    for (const r of open) r.close();
    await nc?.close().catch(() => undefined);
    await p?.stop();
  });

  test('a session answers in Heroku\'s shape and its URL needs no credentials', async () => {
    const res = await api('POST', '/apps/logs-app/log-sessions', { lines: 10 });
    assert.equal(res.status, 201);
    const body = (await res.json()) as Record<string, string>;
    assert.deepEqual(Object.keys(body).sort(), ['created_at', 'id', 'logplex_url', 'updated_at']);
    assert.match(body.id!, /^[0-9a-f-]{36}$/);
    assert.ok(body.logplex_url!.startsWith(`${url}/log-sessions/`), body.logplex_url);
    const stream = await fetch(body.logplex_url!, { headers: { accept: 'text/event-stream' } });
    assert.equal(stream.status, 200);
    assert.equal(stream.headers.get('content-type'), 'text/event-stream');
    assert.equal(stream.headers.get('cache-control'), 'no-cache');
    assert.ok((await stream.text()).startsWith('retry: 1000\n\n'));
  });

  test('the history has the api lines and the dyno lines in order, formatted like Heroku, without config values', async () => {
    const lines = await history();
    for (const l of lines) assert.match(l, STAMP);
    const at = (suffix: string) => lines.findIndex((l) => l.endsWith(suffix));
    const order = [
      'app[api]: Initial release by user admin@paas.local', 'app[api]: Release v1 created by user admin@paas.local',
      'app[api]: Set GREETING config vars by user admin@paas.local', 'app[api]: Release v2 created by user admin@paas.local',
      'app[web.1]: web one', 'app[web.1]: web two', 'app[web.1]: web three', 'heroku[router]: at=info method=GET path="/" status=200',
      'app[worker.1]: worker says hi',
    ].map(at);
    assert.ok(order.every((i, k) => i >= 0 && (k === 0 || i > order[k - 1]!)), `${order} in ${JSON.stringify(lines)}`);
    assert.ok(!lines.join('\n').includes(SECRET), 'a config var value reached the log');
  });

  test('source, dyno and lines narrow the history', async () => {
    assert.deepEqual(strip(await history({ source: 'heroku' })), ['heroku[router]: at=info method=GET path="/" status=200']);
    assert.deepEqual(strip(await history({ dyno: 'web' })), ['app[web.1]: web one', 'app[web.1]: web two', 'app[web.1]: web three']);
    assert.deepEqual(strip(await history({ dyno: 'web.1', lines: 2 })), ['app[web.1]: web two', 'app[web.1]: web three']);
    assert.deepEqual(strip(await history({ source: 'app', dyno: 'worker.1' })), ['app[worker.1]: worker says hi']);
    assert.deepEqual(strip(await history({ lines: 1 })), ['app[worker.1]: worker says hi']);
    assert.ok(strip(await history({ dyno: 'api' })).every((l) => l.startsWith('app[api]: ')));
  });

  test('a tail streams new lines, resumes after Last-Event-ID without replaying, and cleans up its consumer', async () => {
    const logplexUrl = await session({ tail: true, dyno: 'web' });
    const tail = await openSse(logplexUrl);
    open.push(tail);
    await tail.until('the web history', () => tail.data.some((d) => d.endsWith('web three')));
    await publish('app', 'worker.1', 'not a web line');
    await publish('app', 'web.2', 'after connect');
    await tail.until('the line published after connecting', () => tail.data.some((d) => d.endsWith('after connect')));
    assert.deepEqual(strip(tail.data), ['app[web.1]: web one', 'app[web.1]: web two', 'app[web.1]: web three', 'app[web.2]: after connect']);
    const lastId = tail.blocks.filter((b) => b.id).at(-1)!.id!;
    tail.close();
    const jsm = await jetstreamManager(nc!);
    // Only the durable consumer of log drain delivery stays (it serves every app, not this tail).
    await waitFor('the tail\'s consumer to be deleted', async () => (await jsm.consumers.list(n.logsStream).next()).every((c) => c.config.durable_name === 'api-log-drains'));

    await publish('app', 'web.1', 'while away');
    const again = await openSse(logplexUrl, { 'last-event-id': lastId });
    open.push(again);
    assert.equal(again.response.status, 200);
    await again.until('the line missed while away', () => again.data.length >= 1);
    await publish('app', 'web.1', 'after reconnect');
    await again.until('the line after reconnecting', () => again.data.some((d) => d.endsWith('after reconnect')));
    assert.deepEqual(strip(again.data), ['app[web.1]: while away', 'app[web.1]: after reconnect']);
    assert.ok(Number(again.blocks.find((b) => b.id)!.id) > Number(lastId));
  });

  test('a forged, altered or unknown token is 401; creating a session needs the key and a known app', async () => {
    const good = await session();
    const token = good.slice(good.lastIndexOf('/') + 1);
    const altered = `${token.slice(0, 10)}${token[10] === 'A' ? 'B' : 'A'}${token.slice(11)}`;
    for (const bad of ['garbage', altered, `${token.split('.')[0]}.${'A'.repeat(43)}`]) {
      const res = await fetch(`${url}/log-sessions/${bad}`, { headers: { accept: 'text/event-stream' } });
      assert.equal(res.status, 401, bad);
      assert.equal(((await res.json()) as { id: string }).id, 'unauthorized');
    }
    assert.equal((await api('POST', '/apps/logs-app/log-sessions', {}, null)).status, 401);
    const missing = await api('POST', '/apps/no-such-app/log-sessions', {});
    assert.equal(missing.status, 404);
    assert.equal(((await missing.json()) as { id: string }).id, 'not_found');
    assert.equal((await api('POST', '/apps/logs-app/log-sessions', { source: 'system' })).status, 422);
  });

  test('a message carrying several lines, as the router sends its batches, gives each line in order, filtered and tailed like single ones', async () => {
    const tail = await openSse(await session({ tail: true, dyno: 'router' }));
    open.push(tail);
    await tail.until('the router history', () => tail.data.some((d) => d.endsWith('status=200')));
    const batch = [newLogLine('heroku', 'router', 'batched one'), newLogLine('app', 'web.3', 'batched two'), newLogLine('heroku', 'router', 'batched three')];
    await jetstream(nc!).publish(n.logSubject(appId), JSON.stringify(batch));
    await tail.until('the batch\'s router lines', () => tail.data.some((d) => d.endsWith('batched three')));
    assert.deepEqual(strip(tail.data).slice(-2), ['heroku[router]: batched one', 'heroku[router]: batched three']);
    const ids = tail.blocks.filter((b) => b.id).slice(-2).map((b) => b.id);
    assert.equal(ids[0], ids[1], 'the lines of one message share its sequence as their event id');
    tail.close();
    assert.deepEqual(strip(await history({ lines: 2 })), ['app[web.3]: batched two', 'heroku[router]: batched three']);
    assert.deepEqual(strip(await history({ source: 'heroku', lines: 3 })), ['heroku[router]: at=info method=GET path="/" status=200', 'heroku[router]: batched one', 'heroku[router]: batched three']);
  });

  test('an api that stops ends its open tails at once instead of waiting for the clients', async () => {
    const tail = await openSse(await session({ tail: true }));
    open.push(tail);
    await tail.until('the history', () => tail.data.some((d) => d.endsWith('after reconnect')));
    const started = Date.now();
    await p!.closeApi();
    const took = Date.now() - started;
    await assert.rejects(tail.until('the end of the stream', () => false), /the stream ended/);
    // A response still open when the HTTP server closes keeps it waiting for the keep-alive timeout (5 s).
    assert.ok(took < 3000, `closing the api took ${took} ms`);
  });
});

/** The lines without their timestamps: `app[web.1]: text`. */
function strip(lines: string[]): string[] {
  return lines.map((l) => l.replace(/^\S+ /, ''));
}
