import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { logTimestamp, names, newLogLine, parseLogLine, parseLogLines } from '@paas/contracts';
import type { NatsConnection } from '@paas/messaging';
import { LogTimestamps, RouterLog, logLinePayload, logMessages } from '../src/adapters/router-log.js';
import { routerLogLine, routerLogLineJson } from '../src/domain/log-line.js';

describe('router log payloads', () => {
  test('given times within and across milliseconds, when stamped, then the same text as logTimestamp', () => {
    const stamps = new LogTimestamps();
    const base = Date.UTC(2026, 10, 25, 2, 30, 0, 5);
    for (const t of [base + 0.0004, base + 0.0123, base + 0.999, base + 1.5, base + 1000.25, base + 0.0004]) {
      assert.equal(stamps.now(t), logTimestamp(t));
    }
  });

  test('given a line with quotes and non-ASCII, when built, then byte for byte what JSON.stringify(newLogLine) gives, and readable', () => {
    const line = 'at=info method=GET path="/\\"ü" status=200';
    const t = Date.UTC(2026, 10, 25, 2, 30, 0, 5) + 0.25;
    const payload = logLinePayload(new LogTimestamps().now(t), JSON.stringify(line).slice(1, -1));
    assert.equal(payload, JSON.stringify(newLogLine('heroku', 'router', line, t)));
    assert.equal(parseLogLine(payload)?.line, line);
  });

  test('given hostile paths, hosts and forwarded-for values, when the line is built for JSON, then exactly JSON.stringify of the plain line', () => {
    const hostile = ['/', '/a" status=200 x="', '/back\\slash', '/tab\there', '/nul\u0000', '/latin\u00e9\u00ff', '/del\u007f', '/\ud800lone'];
    for (const s of hostile) {
      const r = { method: 'GET', path: s, host: `h${s}`, requestId: 'r1', fwd: `1.2.3.4, ${s}`, protocol: 'http' as const, status: 503, code: 'H12' as const, dyno: 'web.1', connectMs: 1, serviceMs: 2, bytes: 3 };
      assert.equal(routerLogLineJson(r), JSON.stringify(routerLogLine(r)).slice(1, -1), JSON.stringify(s));
    }
  });

  test('given one line, when made into messages, then the LogLine itself; given many, then arrays in order within the line and size caps', () => {
    const t = Date.UTC(2026, 10, 25, 2, 30, 0, 5);
    const stamps = new LogTimestamps();
    const payloads = Array.from({ length: 250 }, (_, i) => logLinePayload(stamps.now(t + i), `line ${i}`));
    assert.deepEqual(logMessages(payloads.slice(0, 1), 100, 1e6), [payloads[0]]);
    assert.equal(parseLogLine(logMessages(payloads.slice(0, 1), 100, 1e6)[0]!)?.line, 'line 0');

    const byCount = logMessages(payloads, 100, 1e6);
    assert.deepEqual(byCount.map((m) => parseLogLines(m).length), [100, 100, 50]);
    assert.deepEqual(byCount.flatMap((m) => parseLogLines(m).map((l) => l.line)), payloads.map((_, i) => `line ${i}`));

    const one = payloads[0]!.length + 1;
    const bySize = logMessages(payloads.slice(0, 10), 100, one * 3);
    assert.deepEqual(bySize.map((m) => parseLogLines(m).length), [3, 3, 3, 1]);
    const huge = logLinePayload(stamps.now(t), 'x'.repeat(5000));
    assert.deepEqual(logMessages([payloads[0]!, huge, payloads[1]!], 100, 1000).map((m) => parseLogLines(m).length), [1, 1, 1]);
  });

  test('given lines of two apps queued together, when flushed, then one message per app with its lines in order, and nothing sent twice', () => {
    const sent: { subject: string; payload: string }[] = [];
    const nc = { isClosed: () => false, isDraining: () => false, publish: (subject: string, payload: string) => { sent.push({ subject, payload }); } };
    const n = names('rlog');
    const log = new RouterLog(nc as unknown as NatsConnection, n);
    log.publish('app-a', 'a1');
    log.publish('app-b', 'b1 "quoted"');
    log.publish('app-a', 'a2');
    log.publish('app-a', 'a3');
    log.flush();
    log.flush();
    assert.deepEqual(sent.map((m) => [m.subject, parseLogLines(m.payload).map((l) => `${l.source}[${l.dyno}] ${l.line}`)]), [
      [n.logSubject('app-a'), ['heroku[router] a1', 'heroku[router] a2', 'heroku[router] a3']],
      [n.logSubject('app-b'), ['heroku[router] b1 "quoted"']],
    ]);
    assert.equal(parseLogLine(sent[1]!.payload)?.line, 'b1 "quoted"', 'a lone line goes as a LogLine object, as every other writer sends');
  });
});
