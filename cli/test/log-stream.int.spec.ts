import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiClient } from '../src/api-client.js';
import { followLogs } from '../src/log-stream.js';

/**
 * A stand-in for the api's log session endpoint (the CLI is under test, not the api): the first
 * connection sends two events and drops; a reconnect gets the events after its Last-Event-ID.
 */
describe('logs --tail over a dropped connection', () => {
  let server: Server;
  let url: string;
  const seen: (string | undefined)[] = [];
  const events = ['a', 'b', 'c', 'd'].map((text, i) => `id: ${i + 1}\ndata: line ${text}\n\n`);

  before(async () => {
    server = createServer((req, res) => {
      const last = req.headers['last-event-id'] as string | undefined;
      seen.push(last);
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      if (last === undefined) {
        res.write(events[0] + events[1]);
        // Dropped mid-stream, as a restarted api or a proxy would.
        setImmediate(() => res.destroy());
        return;
      }
      res.end(events.slice(Number(last)).join(''));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/log-sessions/token`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  test('reconnects with Last-Event-ID: every line once, in order', async () => {
    const lines: string[] = [];
    const api = new ApiClient('http://127.0.0.1:1', () => 'unused');
    // The stand-in ends the resumed stream; a tail would then reconnect again, so stop at the last line.
    await assert.rejects(followLogs(api, url, {
      tail: true,
      onLine: (l) => {
        lines.push(l);
        if (lines.length === 4) throw new Error('seen all');
      },
    }), /seen all/);
    assert.deepEqual(lines, ['line a', 'line b', 'line c', 'line d']);
    assert.deepEqual(seen, [undefined, '2']);
  });

  test('without --tail the history is printed once and the command ends', async () => {
    const lines: string[] = [];
    seen.length = 0;
    await followLogs(new ApiClient('http://127.0.0.1:1', () => 'unused'), url, { tail: false, onLine: (l) => lines.push(l) }).catch(() => undefined);
    assert.deepEqual(lines, ['line a', 'line b']);
    assert.deepEqual(seen, [undefined]);
  });
});
