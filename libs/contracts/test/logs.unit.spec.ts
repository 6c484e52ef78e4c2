import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { formatLogLine, logTimestamp, newLogLine, parseLogLine, parseLogLines } from '../src/logs.js';

describe('log lines', () => {
  test('given a time with a fraction of a millisecond, when stamped, then the ISO timestamp has microseconds', () => {
    const ms = Date.UTC(2026, 10, 24, 21, 0, 0, 123) + 0.456;
    assert.equal(logTimestamp(ms), '2026-11-24T21:00:00.123456Z');
    assert.equal(logTimestamp(Date.UTC(2026, 10, 24, 21, 0, 0, 5)), '2026-11-24T21:00:00.005000Z');
  });

  test('given a line, when formatted, then it reads like Heroku: timestamp +00:00, source[dyno]: text', () => {
    const l = newLogLine('app', 'web.1', 'Listening on 5000', Date.UTC(2026, 10, 24, 21, 0, 0, 123) + 0.456);
    assert.equal(formatLogLine(l), '2026-11-24T21:00:00.123456+00:00 app[web.1]: Listening on 5000');
  });

  test('given an older line with milliseconds or an offset, when formatted, then it still has six digits', () => {
    assert.equal(formatLogLine({ ts: '2026-11-24T21:00:00.123Z', source: 'heroku', dyno: 'router', line: 'x' }), '2026-11-24T21:00:00.123000+00:00 heroku[router]: x');
    assert.equal(formatLogLine({ ts: '2026-11-24T22:00:00+01:00', source: 'app', dyno: 'api', line: 'y' }), '2026-11-24T22:00:00.000000+01:00 app[api]: y');
  });

  test('given published messages, when parsed, then only well-formed log lines come back', () => {
    const l = newLogLine('heroku', 'web.2', 'State changed from starting to up');
    assert.deepEqual(parseLogLine(JSON.stringify(l)), l);
    assert.equal(parseLogLine('not json'), undefined);
    assert.equal(parseLogLine(JSON.stringify({ ...l, source: 'system' })), undefined);
    assert.equal(parseLogLine(JSON.stringify({ ...l, extra: 1 })), undefined);
    assert.equal(parseLogLine(JSON.stringify({ ...l, ts: 'yesterday' })), undefined);
  });

  test('given a message of one line or of several, when its lines are read, then each valid line in order and nothing else', () => {
    const a = newLogLine('heroku', 'router', 'at=info status=200');
    const b = newLogLine('app', 'web.1', 'GET /');
    assert.deepEqual(parseLogLines(JSON.stringify(a)), [a]);
    assert.deepEqual(parseLogLines(JSON.stringify([a, b, a])), [a, b, a]);
    assert.deepEqual(parseLogLines(JSON.stringify([a, { ...b, source: 'system' }, 7, b])), [a, b]);
    assert.deepEqual(parseLogLines(JSON.stringify([])), []);
    assert.deepEqual(parseLogLines('[{"ts":'), []);
    assert.deepEqual(parseLogLines('"just a string"'), []);
    assert.equal(parseLogLine(JSON.stringify([a])), undefined);
  });
});
