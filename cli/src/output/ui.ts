import { Chalk, type ChalkInstance } from 'chalk';
import ora from 'ora';

/** Where a command writes: results to stdout, progress and errors to stderr; colour and spinners only on a terminal. */
export class Ui {
  readonly color: ChalkInstance;

  constructor(
    readonly out: NodeJS.WritableStream & { isTTY?: boolean } = process.stdout,
    readonly err: NodeJS.WritableStream & { isTTY?: boolean; columns?: number } = process.stderr,
    env: NodeJS.ProcessEnv = process.env,
  ) {
    const tty = Boolean(out.isTTY) && !env.NO_COLOR && env.TERM !== 'dumb';
    this.color = new Chalk({ level: tty ? 1 : 0 });
  }

  /** Spinners need a terminal that knows its width (a pty of width 0 would make ora clear lines forever). */
  private get spins(): boolean {
    return Boolean(this.err.isTTY) && (this.err.columns ?? 0) > 0;
  }

  /** A line (or lines) of results. */
  log(text = ''): void {
    this.out.write(`${text}\n`);
  }

  /** A listing as JSON (`--json`): the API's objects, indented. */
  json(value: unknown): void {
    this.out.write(`${JSON.stringify(value, null, 2)}\n`);
  }

  /** A note on stderr, never mixed into results. */
  note(text: string): void {
    this.err.write(`${text}\n`);
  }

  /**
   * Runs `work` behind `text...`: a spinner on a terminal, then `text... done` on stderr; `ending`
   * turns the result into what replaces "done" (e.g. `done, v3`, or `up, run.1234`).
   */
  async action<T>(text: string, work: () => Promise<T>, ending?: (result: T) => string): Promise<T> {
    const spinner = this.spins ? ora({ text: `${text}...`, stream: this.err, discardStdin: false }).start() : undefined;
    try {
      const result = await work();
      const end = `${text}... ${ending?.(result) ?? 'done'}`;
      if (spinner) spinner.stopAndPersist({ symbol: this.color.green('✓'), text: end });
      else this.note(end);
      return result;
    } catch (err) {
      if (spinner) spinner.stopAndPersist({ symbol: this.color.red('✗'), text: `${text}... failed` });
      else this.note(`${text}... failed`);
      throw err;
    }
  }

  /** A spinner alone, for waits with no closing line (the start of `logs --tail`, `run`); stop it before output. */
  spinner(text: string): { stop(): void } {
    if (!this.spins) return { stop: () => undefined };
    const s = ora({ text, stream: this.err, discardStdin: false }).start();
    return { stop: () => s.stop() };
  }
}
