import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import * as tar from 'tar';
import {
  AppDestroyed, FormationScaled, names, ReleaseCreated, type DesiredApp, type FormationEntry, type Slug,
} from '@paas/contracts';
import { EventPublisher, makeEnvelope, type NatsConnection } from '@paas/messaging';
import { blobStoreFor } from '@paas/storage';

/** A Node app answering with GREETING and DYNO; /crash makes it exit with status 3. */
const SERVER = `
const http = require('node:http');
http.createServer((req, res) => {
  if (req.url === '/crash') { res.end('bye'); setImmediate(() => process.exit(3)); return; }
  res.end((process.env.GREETING || 'hello') + ' from ' + process.env.DYNO + ' pid ' + process.pid);
}).listen(process.env.PORT, () => console.log('listening on ' + process.env.PORT));
process.on('SIGTERM', () => { console.log('SIGTERM received'); process.exit(0); });
`;

/** A worker that says what its .profile.d script exported, then ticks. */
const WORKER = `
console.log('worker ' + process.env.DYNO + ' with ' + process.env.FROM_PROFILE);
setInterval(() => console.log('tick'), 200);
`;

/** Packs the test app as a slug into the data dir's blob store, as the builder would. */
export async function makeSlug(dataDir: string, appId: string, processTypes: Record<string, string> = { web: 'node server.js' }): Promise<Slug> {
  const src = await mkdtemp(join(tmpdir(), 'paas-dm-slug-'));
  try {
    await writeFile(join(src, 'server.js'), SERVER);
    await writeFile(join(src, 'worker.js'), WORKER);
    await mkdir(join(src, '.profile.d'));
    await writeFile(join(src, '.profile.d', 'test.sh'), 'export FROM_PROFILE="profile of $DYNO"\n');
    const id = randomUUID();
    const stream = Readable.from(tar.c({ gzip: true, cwd: src, portable: true }, ['.']));
    const blob = await blobStoreFor(dataDir).put(`slugs/${appId}/${id}.tgz`, stream);
    return { id, blob, processTypes, commit: null, buildpack: 'nodejs', stack: 'heroku-24' };
  } finally {
    await rm(src, { recursive: true, force: true });
  }
}

/**
 * Stands in for the release service (outside the system under test): publishes its events with
 * stream versions and answers GetDesiredState with what they add up to.
 */
export class FakeReleaseService {
  readonly appId = randomUUID();
  requests = 0;
  private streamVersion = 0;
  private desired: DesiredApp | null = null;
  private readonly publisher: EventPublisher;

  constructor(private readonly nc: NatsConnection, private readonly ns: string, readonly appName: string, answering = true) {
    this.publisher = new EventPublisher(nc, names(ns), 'release');
    if (answering) this.answer();
  }

  /** Starts answering GetDesiredState (until then the manager finds no release service). */
  answer(): void {
    const sub = this.nc.subscribe(names(this.ns).rpcSubject('release', 'GetDesiredState'));
    (async () => {
      for await (const m of sub) {
        this.requests++;
        m.respond(JSON.stringify({ ok: true, data: this.desired ? [this.desired] : [] }));
      }
    })().catch(() => undefined);
  }

  async release(version: number, slug: Slug | null, config: Record<string, string> = {}): Promise<void> {
    const releaseId = randomUUID();
    const data = { appName: this.appName, releaseId, version, description: `v${version}`, slug, config, by: 'test@paas.local', buildId: null, rollbackOf: null };
    const e = { ...makeEnvelope(ReleaseCreated, data, { appId: this.appId }), streamVersion: ++this.streamVersion };
    const release = { id: releaseId, appId: this.appId, appName: this.appName, version, description: data.description, by: data.by, createdAt: e.occurredAt, slug, config, current: true, buildId: null, status: slug?.processTypes.release ? 'pending' as const : 'succeeded' as const };
    this.desired = { appId: this.appId, appName: this.appName, release, formation: this.desired?.formation ?? [], streamVersion: this.streamVersion, maintenance: false, domains: [] };
    await this.publisher.publishEnvelope(ReleaseCreated, e);
  }

  async scale(formation: FormationEntry[]): Promise<void> {
    const data = { appName: this.appName, formation, changed: formation, by: 'test@paas.local' };
    const e = { ...makeEnvelope(FormationScaled, data, { appId: this.appId }), streamVersion: ++this.streamVersion };
    if (this.desired) this.desired = { ...this.desired, formation, streamVersion: this.streamVersion };
    await this.publisher.publishEnvelope(FormationScaled, e);
  }

  async destroy(): Promise<void> {
    const e = { ...makeEnvelope(AppDestroyed, { name: this.appName, by: 'test@paas.local' }, { appId: this.appId }), streamVersion: ++this.streamVersion };
    this.desired = null;
    await this.publisher.publishEnvelope(AppDestroyed, e);
  }
}
