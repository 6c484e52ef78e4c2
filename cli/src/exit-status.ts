/** The line a wrapped command ends its output with, as the Heroku CLI's `--exit-code` does (\uFFFF starts it). */
export const EXIT_MARKER = '\uFFFF paas-command-exit-status:';
const MARK = Buffer.from('\uFFFF');

/** A command line that prints its own exit status last, for `run --exit-code`; a subshell, so even `exit 3` reports. */
export function withExitStatus(command: string): string {
  return `(${command}); echo "${EXIT_MARKER} $?"`;
}

/**
 * Passes a one-off dyno's output through and takes the exit-status line out of it. Bytes from a
 * \uFFFF on are held back until their line ends (or the output does), so a marker split across
 * chunks is still found and never printed.
 */
export class ExitStatusFilter {
  status: number | undefined;
  private held = Buffer.alloc(0);

  /** The bytes of `chunk` that are output, to print now. */
  feed(chunk: Uint8Array): Buffer {
    let data = Buffer.concat([this.held, chunk]);
    this.held = Buffer.alloc(0);
    const out: Buffer[] = [];
    for (;;) {
      const at = data.indexOf(MARK);
      if (at === -1) {
        // A \uFFFF may be cut at the chunk's end: hold back a trailing part of it.
        const keep = partialMarkAtEnd(data);
        out.push(data.subarray(0, data.length - keep));
        this.held = Buffer.from(data.subarray(data.length - keep));
        break;
      }
      out.push(data.subarray(0, at));
      const eol = data.indexOf(10, at);
      if (eol === -1) {
        this.held = Buffer.from(data.subarray(at));
        break;
      }
      const line = data.subarray(at, eol).toString('utf8');
      const m = new RegExp(`^${EXIT_MARKER} (\\d+)\\r?$`).exec(line);
      if (m) this.status = Number(m[1]);
      else out.push(data.subarray(at, eol + 1));
      data = data.subarray(eol + 1);
    }
    return Buffer.concat(out);
  }

  /** What is still held back when the output ends. */
  flush(): Buffer {
    const rest = this.held;
    this.held = Buffer.alloc(0);
    const m = new RegExp(`^${EXIT_MARKER} (\\d+)\\r?\\n?$`).exec(rest.toString('utf8'));
    if (m) {
      this.status = Number(m[1]);
      return Buffer.alloc(0);
    }
    return rest;
  }
}

function partialMarkAtEnd(data: Buffer): number {
  for (let n = Math.min(MARK.length - 1, data.length); n > 0; n--) {
    if (data.subarray(data.length - n).equals(MARK.subarray(0, n))) return n;
  }
  return 0;
}
