/** A test's view of a server-sent event stream: reads blocks as they come, as the CLI's EventSource would. */

export interface SseBlock {
  id?: string;
  data?: string;
  retry?: string;
  comment?: string;
}

/** Splits raw event-stream text into blocks (events, retry, comments). */
export function parseSse(text: string): SseBlock[] {
  return text.split('\n\n').filter((b) => b.length > 0).map((block) => {
    const out: SseBlock = {};
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) out.comment = line.slice(1).trim();
      else {
        const i = line.indexOf(':');
        const [field, value] = i < 0 ? [line, ''] : [line.slice(0, i), line.slice(i + 1).replace(/^ /, '')];
        if (field === 'data') out.data = out.data === undefined ? value : `${out.data}\n${value}`;
        else if (field === 'id' || field === 'retry') out[field] = value;
      }
    }
    return out;
  });
}

/** An open stream: `until` resolves once the events seen so far satisfy a condition. */
export class SseReader {
  readonly blocks: SseBlock[] = [];
  private buffered = '';
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  private readonly decoder = new TextDecoder();

  constructor(readonly response: Response, private readonly abort: AbortController) {
    this.reader = response.body!.getReader();
  }

  /** The data of every event seen so far (comments and retry left out). */
  get data(): string[] {
    return this.blocks.filter((b) => b.data !== undefined).map((b) => b.data!);
  }

  /** Reads until `done(blocks)` holds; fails after the deadline or when the stream ends first. */
  async until(what: string, done: (blocks: SseBlock[]) => boolean, timeoutMs = 15_000): Promise<void> {
    const timer = setTimeout(() => this.abort.abort(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)), timeoutMs);
    try {
      while (!done(this.blocks)) {
        const { value, done: ended } = await this.reader.read();
        if (ended) throw new Error(`the stream ended before ${what}; got ${JSON.stringify(this.data)}`);
        this.buffered += this.decoder.decode(value, { stream: true });
        const cut = this.buffered.lastIndexOf('\n\n');
        if (cut < 0) continue;
        this.blocks.push(...parseSse(this.buffered.slice(0, cut + 2)));
        this.buffered = this.buffered.slice(cut + 2);
      }
    } finally {
      clearTimeout(timer);
    }
  }

  /** Disconnects, as a client pressing Ctrl-C. */
  close(): void {
    this.abort.abort();
  }
}

/** Opens a log stream the way the CLI does: no credentials, Accept: text/event-stream. */
export async function openSse(url: string, headers: Record<string, string> = {}): Promise<SseReader> {
  const abort = new AbortController();
  const res = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: abort.signal });
  return new SseReader(res, abort);
}
