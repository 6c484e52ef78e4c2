import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BuildFailed, SlugBuilt, type EventOf } from '@paas/contracts';

/** The event that ended a build, as it was (or is about to be) published. */
export type BuildOutcomeEvent = EventOf<typeof SlugBuilt> | EventOf<typeof BuildFailed>;

const BUILD_ID = /^[0-9a-f-]{36}$/i;

/**
 * Finished builds under `<dataDir>/builds/<buildId>.json`, so a redelivered SourcePushed
 * re-announces the same outcome (same event id, deduplicated by JetStream) instead of building again.
 */
export class BuildRecords {
  private readonly dir: string;
  constructor(dataDir: string) {
    this.dir = join(dataDir, 'builds');
  }

  /** The recorded outcome of a build, or undefined when it never finished. */
  async get(buildId: string): Promise<BuildOutcomeEvent | undefined> {
    let text: string;
    try {
      text = await readFile(this.path(buildId), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new Error(`reading the record of build ${buildId}: ${(err as Error).message}`);
    }
    const raw = JSON.parse(text) as { type?: string };
    return (raw.type === SlugBuilt.type ? SlugBuilt.schema.parse(raw) : BuildFailed.schema.parse(raw));
  }

  /** Records an outcome atomically (temp file, then rename): a reader sees all of it or nothing. */
  async put(outcome: BuildOutcomeEvent): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const final = this.path(outcome.data.buildId);
    const tmp = `${final}.${randomUUID()}.partial`;
    try {
      await writeFile(tmp, JSON.stringify(outcome));
      await rename(tmp, final);
    } catch (err) {
      await rm(tmp, { force: true });
      throw new Error(`recording the outcome of build ${outcome.data.buildId} in ${this.dir}: ${(err as Error).message}`);
    }
  }

  private path(buildId: string): string {
    if (!BUILD_ID.test(buildId)) throw new Error(`"${buildId}" is not a build id`);
    return join(this.dir, `${buildId}.json`);
  }
}
