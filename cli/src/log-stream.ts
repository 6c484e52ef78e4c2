import { setTimeout as delay } from 'node:timers/promises';
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import type { ApiClient } from './api-client.js';
import type { ChalkInstance } from 'chalk';

/**
 * The lines of a log session's event stream (Server-Sent Events, one line per event's data), fed
 * chunk by chunk; remembers the last event id, for a tail to resume from after a dropped connection.
 */
export class LogEvents {
  lastEventId: string | undefined;
  private readonly parser;

  constructor(onLine: (line: string) => void) {
    this.parser = createParser({
      onEvent: (e: EventSourceMessage) => {
        if (e.id !== undefined) this.lastEventId = e.id;
        for (const line of e.data.split('\n')) onLine(line);
      },
    });
  }

  feed(chunk: string): void {
    this.parser.feed(chunk);
  }
}

/** How many times in a row a tail reconnects before it gives up. */
const RECONNECTS = 5;

/**
 * Prints a log session (logplex_url): the history, then, when tailing, new lines until the user
 * stops it. A dropped tail reconnects with Last-Event-ID, so no line is missed or shown twice.
 */
export async function followLogs(api: ApiClient, url: string, opts: { tail: boolean; onLine: (line: string) => void; onOpen?: () => void }): Promise<void> {
  // A failure to print (stdout closed) ends the command; only the stream's failures are retried.
  let printError: unknown;
  const events = new LogEvents((line) => {
    try {
      opts.onLine(line);
    } catch (err) {
      printError ??= err;
    }
  });
  for (let failures = 0; ; ) {
    const headers: Record<string, string> = { accept: 'text/event-stream' };
    if (events.lastEventId !== undefined) headers['last-event-id'] = events.lastEventId;
    let received = false;
    try {
      const res = await api.open(url, headers);
      opts.onOpen?.();
      res.setEncoding('utf8');
      for await (const chunk of res) {
        received = true;
        events.feed(chunk as string);
        if (printError !== undefined) throw printError;
      }
    } catch (err) {
      if (err === printError || !opts.tail || (failures >= RECONNECTS && !received)) throw err;
    }
    if (!opts.tail) return;
    failures = received ? 0 : failures + 1;
    if (failures > RECONNECTS) throw new Error(`the log stream at ${new URL(url).origin} keeps closing: try \`paas logs --tail\` again`);
    await delay(Math.min(500 * 2 ** failures, 8000));
  }
}

const SOURCE_COLOURS = ['cyan', 'green', 'yellow', 'blue', 'magenta'] as const;

/** A Heroku log line with its `source[dyno]:` coloured (one colour per dyno) and the timestamp dimmed. */
export function colourLogLine(line: string, color: ChalkInstance): string {
  const m = /^(\S+) (app|heroku)\[([^\]]+)\]:(.*)$/s.exec(line);
  if (!m || color.level === 0) return line;
  const [, ts, source, dyno, rest] = m;
  const type = dyno.split('.')[0];
  const pick = source === 'heroku' ? 'magenta' : SOURCE_COLOURS[[...type].reduce((h, c) => h + c.charCodeAt(0), 0) % SOURCE_COLOURS.length];
  return `${color.dim(ts)} ${color[pick](`${source}[${dyno}]:`)}${rest}`;
}
