import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { DeliverPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { names, newLogLine, parseLogLine, type LogLine } from '@paas/contracts';
import { deleteNamespaceStreams, freshNamespace, NATS_URL, waitFor } from '@paas/testing';
import { connectNats, ensureStreams, LogShuttle, type NatsConnection } from '../src/index.js';

describe('app logs on NATS: bounded per app, and a dyno that writes too fast loses lines with L12, never waits', () => {
  const ns = freshNamespace('shuttle');
  const n = names(ns);
  let nc: NatsConnection;

  before(async () => {
    nc = await connectNats(NATS_URL, 'shuttle-spec');
    await ensureStreams(nc, n, 50);
  });

  after(async () => {
    await nc?.close();
    await deleteNamespaceStreams(ns);
  });

  /** Every line stored for an app, in stream order. */
  const stored = async (appId: string): Promise<LogLine[]> => {
    const consumer = await jetstream(nc).consumers.get(n.logsStream, { filter_subjects: n.logSubject(appId), deliver_policy: DeliverPolicy.All });
    const out: LogLine[] = [];
    try {
      let pending = (await consumer.info(true)).num_pending;
      while (pending > 0) {
        const batch = await consumer.fetch({ max_messages: pending, expires: 2_000 });
        for await (const m of batch) {
          out.push(parseLogLine(m.string())!);
          pending = m.info.pending;
        }
      }
    } finally {
      await consumer.delete().catch(() => undefined);
    }
    return out;
  };

  test('given PAAS_LOG_LINES=50, when an app writes more from two dynos, then the stream keeps its last 50, and another app its own', async () => {
    const a = randomUUID();
    const b = randomUUID();
    const shuttle = new LogShuttle(nc, n);
    for (let i = 0; i < 40; i++) {
      shuttle.send(a, newLogLine('app', 'web.1', `a web ${i}`));
      shuttle.send(a, newLogLine('app', 'worker.1', `a worker ${i}`));
    }
    for (let i = 0; i < 10; i++) shuttle.send(b, newLogLine('app', 'web.1', `b ${i}`));
    const jsm = await jetstreamManager(nc);
    const counts = await waitFor('both apps stored', async () => {
      const info = await jsm.streams.info(n.logsStream, { subjects_filter: `${ns}.logs.>` });
      const s = info.state.subjects ?? {};
      return s[n.logSubject(a)] === 50 && s[n.logSubject(b)] === 10 ? s : undefined;
    });
    assert.equal(Object.keys(counts).length, 2);
    const kept = await stored(a);
    assert.equal(kept.length, 50);
    // The newest lines of both dynos are among those kept (order holds per dyno, not across dynos).
    assert.ok(kept.some((l) => l.line === 'a worker 39') && kept.some((l) => l.line === 'a web 39'));
  });

  test('given a dyno writing thousands of lines at once, when shuttled, then the oldest waiting ones go, an L12 line says how many, order holds, other dynos lose nothing', async () => {
    const app = randomUUID();
    const shuttle = new LogShuttle(nc, n, 20);
    const t0 = performance.now();
    for (let i = 0; i < 3000; i++) shuttle.send(app, newLogLine('app', 'web.1', `line ${i}`));
    for (let i = 0; i < 3; i++) shuttle.send(app, newLogLine('app', 'worker.1', `calm ${i}`));
    const took = performance.now() - t0;
    assert.ok(took < 1_000, `sending never waits on NATS (took ${took} ms)`);
    assert.ok(shuttle.waiting <= 20 + 3, `bounded: ${shuttle.waiting} waiting`);
    await waitFor('the shuttle to empty', () => shuttle.waiting === 0);
    const lines = await waitFor('the last line stored', async () => {
      const all = await stored(app);
      return all.some((l) => l.line === 'line 2999') ? all : undefined;
    });
    const web = lines.filter((l) => l.dyno === 'web.1');
    const l12 = web.find((l) => l.source === 'heroku');
    assert.ok(l12, 'an L12 line');
    assert.match(l12.line, /^Error L12 \(Local buffer overflow\): (\d+) messages dropped since \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00\.$/);
    const dropped = Number(/\): (\d+) messages/.exec(l12.line)![1]);
    const numbers = web.filter((l) => l.source === 'app').map((l) => Number(l.line.slice(5)));
    assert.equal(numbers.length + dropped, 3000, 'every line is either stored or counted as dropped');
    assert.deepEqual(numbers, [...numbers].sort((x, y) => x - y), 'in order');
    // The loss is reported where it happened: after the lines sent before it, before the ones after.
    const at = web.indexOf(l12);
    assert.ok(numbers.slice(0, at).every((x) => x < numbers[at]!));
    assert.deepEqual(lines.filter((l) => l.dyno === 'worker.1').map((l) => l.line), ['calm 0', 'calm 1', 'calm 2']);
  });
});
