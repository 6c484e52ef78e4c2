import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { LogEvents } from '../src/log-stream.js';
import { EXIT_MARKER, ExitStatusFilter, withExitStatus } from '../src/exit-status.js';

describe('the log session event stream', () => {
  test('events split across chunks come out whole, with the last event id kept for a reconnect', () => {
    const lines: string[] = [];
    const events = new LogEvents((l) => lines.push(l));
    const stream = 'retry: 3000\n\nid: 7\ndata: 2026-11-24T21:00:00.000001+00:00 app[web.1]: hello\n\n: keep-alive\n\nid: 8\ndata: first\ndata: second\n\n';
    for (let i = 0; i < stream.length; i += 5) events.feed(stream.slice(i, i + 5));
    assert.deepEqual(lines, ['2026-11-24T21:00:00.000001+00:00 app[web.1]: hello', 'first', 'second']);
    assert.equal(events.lastEventId, '8');
  });

  test('an event not yet ended by a blank line is not shown', () => {
    const lines: string[] = [];
    const events = new LogEvents((l) => lines.push(l));
    events.feed('id: 1\ndata: partial');
    assert.deepEqual(lines, []);
    events.feed('\n\n');
    assert.deepEqual(lines, ['partial']);
  });
});

describe('run --exit-code: the exit status line is taken out of the output', () => {
  const feedAll = (chunks: Buffer[]) => {
    const f = new ExitStatusFilter();
    const out = Buffer.concat([...chunks.map((c) => f.feed(c)), f.flush()]).toString('utf8');
    return { out, status: f.status };
  };

  test('the wrapped command echoes its status', () => {
    assert.equal(withExitStatus('exit 3'), `(exit 3); echo "${EXIT_MARKER} $?"`);
  });

  test('in one chunk or cut anywhere, even inside the \\uFFFF, the output stays and the status is found', () => {
    const whole = Buffer.from(`hello\nworld\n${EXIT_MARKER} 3\n`);
    assert.deepEqual(feedAll([whole]), { out: 'hello\nworld\n', status: 3 });
    for (let cut = 1; cut < whole.length; cut++) {
      assert.deepEqual(feedAll([whole.subarray(0, cut), whole.subarray(cut)]), { out: 'hello\nworld\n', status: 3 }, `cut at ${cut}`);
    }
  });

  test('a \\uFFFF that starts no status line is output as is', () => {
    assert.deepEqual(feedAll([Buffer.from('a\uFFFFb\nc\n')]), { out: 'a\uFFFFb\nc\n', status: undefined });
  });
});
