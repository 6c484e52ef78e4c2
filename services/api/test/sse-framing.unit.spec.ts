import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { formatLogLine } from '@paas/contracts';
import { sseEvent } from '../src/logs/log-sessions.js';

/**
 * A reader that follows the HTML event-stream interpretation rules (lines end in LF, CR or CRLF;
 * `field: value` with one optional space; data lines joined by LF; a blank line dispatches), as
 * the Heroku CLI's EventSource does: the frames are checked against it, not against our writer.
 */
function readEvents(stream: string): { id?: string; data: string }[] {
  const out: { id?: string; data: string }[] = [];
  let data = '';
  let id: string | undefined;
  for (const line of stream.split(/\r\n|\r|\n/)) {
    if (line === '') {
      // Dispatch: an empty buffer dispatches nothing; else its last LF goes.
      if (data !== '') out.push({ id, data: data.endsWith('\n') ? data.slice(0, -1) : data });
      data = '';
      continue;
    }
    if (line.startsWith(':')) continue;
    const i = line.indexOf(':');
    const field = i < 0 ? line : line.slice(0, i);
    const value = i < 0 ? '' : line.slice(i + 1).replace(/^ /, '');
    if (field === 'data') data += `${value}\n`;
    else if (field === 'id') id = value;
  }
  return out;
}

describe('log session stream framing (server-sent events)', () => {
  test('given log lines, when written as events, then a reader gets each line whole with its sequence as id', () => {
    const lines = [
      { ts: '2026-11-24T21:00:00.123456Z', source: 'heroku' as const, dyno: 'router', line: 'at=info method=GET path="/a:b" host=x request_id=1 fwd="127.0.0.1" dyno=web.1 connect=0ms service=3ms status=200 bytes=13 protocol=http' },
      { ts: '2026-11-24T21:00:01.000001Z', source: 'app' as const, dyno: 'web.1', line: ' leading space, and: a colon' },
    ];
    const stream = 'retry: 1000\n\n' + lines.map((l, i) => sseEvent(41 + i, formatLogLine(l))).join('') + ': keep-alive\n\n';
    assert.deepEqual(readEvents(stream), [
      { id: '41', data: formatLogLine(lines[0]!) },
      { id: '42', data: formatLogLine(lines[1]!) },
    ]);
  });

  test('given text with LF, CR or CRLF inside, when written, then it cannot end the event early or forge a field', () => {
    const text = 'first\nid: 999\r\ndata: forged\rlast';
    const events = readEvents(sseEvent(7, text));
    assert.equal(events.length, 1);
    assert.equal(events[0]!.id, '7');
    assert.equal(events[0]!.data, 'first\nid: 999\ndata: forged\nlast');
  });

  test('given an empty line, when written, then the event still carries it', () => {
    assert.deepEqual(readEvents(sseEvent(1, '')), [{ id: '1', data: '' }]);
    assert.equal(sseEvent(1, ''), 'id: 1\ndata: \n\n');
  });
});
