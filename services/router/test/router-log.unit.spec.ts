import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { logTimestamp, newLogLine, parseLogLine } from '@paas/contracts';
import { LogTimestamps, logLinePayload } from '../src/adapters/router-log.js';
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
});
