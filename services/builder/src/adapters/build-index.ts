import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildInfo, notFound, type BuildInfo } from '@paas/contracts';

/**
 * Every build of every app under `<dataDir>/builds/apps/<appId>/<buildId>.json`: written as
 * pending when the build starts and rewritten (atomically) with its outcome, so the Build API can
 * list an app's builds, failed ones included.
 */
export class BuildIndex {
  private readonly dir: string;
  constructor(dataDir: string) {
    this.dir = join(dataDir, 'builds', 'apps');
  }

  async put(b: BuildInfo): Promise<void> {
    const valid = buildInfo.parse(b);
    const dir = join(this.dir, valid.appId);
    await mkdir(dir, { recursive: true });
    const final = join(dir, `${valid.id}.json`);
    const tmp = `${final}.${randomUUID()}.partial`;
    try {
      await writeFile(tmp, JSON.stringify(valid));
      await rename(tmp, final);
    } catch (err) {
      await rm(tmp, { force: true });
      throw new Error(`recording build ${valid.id} in ${dir}: ${(err as Error).message}`);
    }
  }

  async list(appId: string): Promise<BuildInfo[]> {
    const dir = join(this.dir, buildInfo.shape.appId.parse(appId));
    const files = await readdir(dir).catch((err: NodeJS.ErrnoException) => (err.code === 'ENOENT' ? [] : Promise.reject(err)));
    const builds = await Promise.all(files.filter((f) => f.endsWith('.json')).map(async (f) => buildInfo.parse(JSON.parse(await readFile(join(dir, f), 'utf8')))));
    return builds.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  async get(appId: string, buildId: string): Promise<BuildInfo> {
    const path = join(this.dir, buildInfo.shape.appId.parse(appId), `${buildInfo.shape.id.parse(buildId)}.json`);
    const text = await readFile(path, 'utf8').catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') throw notFound("Couldn't find that build.");
      throw err;
    });
    return buildInfo.parse(JSON.parse(text));
  }
}
