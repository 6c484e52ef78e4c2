import type { BuildOutcome, BuildOutput } from '@paas/messaging';
import { detail, header, problem } from '../domain/output.js';

/**
 * The output of one build, in Heroku's shapes. Lines are sent in order without waiting for each
 * (a chatty npm install must not crawl); end() waits for all of them, then writes the end marker.
 */
export class BuildLog {
  private readonly writer: ReturnType<BuildOutput['writer']>;
  private last: Promise<void> = Promise.resolve();

  constructor(output: BuildOutput, buildId: string) {
    this.writer = output.writer(buildId);
  }

  /** "-----> text" */
  header(text: string): void {
    this.send(header(text));
  }

  /** "       text", for each line given. */
  detail(...lines: string[]): void {
    for (const l of lines) this.send(detail(l));
  }

  /** " !     text", for each line given. */
  problem(...lines: string[]): void {
    for (const l of lines) this.send(problem(l));
  }

  /** Waits until every line is stored; fails if any could not be. */
  async flush(): Promise<void> {
    await this.last;
  }

  /** Stores every pending line, then the end marker readers stop at. */
  async end(outcome: BuildOutcome): Promise<void> {
    await this.last;
    await this.writer.end(outcome);
  }

  private send(line: string): void {
    // The writer chains its publishes, so the latest promise fails if any earlier one did.
    this.last = this.writer.line(line);
    this.last.catch(() => undefined);
  }
}
