import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { waitFor } from '@paas/testing';
import { BuilderHarness } from './harness.js';

describe('builder: a redelivered SourcePushed is not built twice', () => {
  let h: BuilderHarness;

  before(async () => {
    h = await BuilderHarness.start();
  });

  after(async () => {
    await h?.cleanup();
  });

  test('after a restart, the same SourcePushed again re-announces the recorded SlugBuilt (same event id), with no second slug', async () => {
    const { pushed, outcome } = await h.build({ files: { Procfile: 'web: ./serve.sh\n' } });
    assert.equal(outcome.type, 'SlugBuilt');
    const record = JSON.parse(await readFile(join(h.settings.dataDir, 'builds', `${pushed.data.buildId}.json`), 'utf8'));
    assert.equal(record.id, outcome.id);

    // A builder that published but crashed before its ack: the message comes again to a new process.
    await h.stop();
    const js = jetstream(h.nc);
    const again = await js.publish(h.n.eventSubject('SourcePushed', pushed.appId), JSON.stringify(pushed));
    await h.boot();

    const jsm = await jetstreamManager(h.nc);
    await waitFor('the builder to take and ack the redelivered SourcePushed', async () => {
      const info = await jsm.consumers.info(h.n.eventsStream, h.n.durable('builder', 'SourcePushed'));
      return info.delivered.stream_seq >= again.seq && info.num_ack_pending === 0 && info.num_pending === 0;
    });
    const subject = h.n.eventSubject('SlugBuilt', pushed.appId);
    const stored = await jsm.streams.info(h.n.eventsStream, { subjects_filter: subject });
    assert.deepEqual(stored.state.subjects, { [subject]: 1 }, 'the re-announced SlugBuilt was dropped as a duplicate');
    const slugs = await readdir(join(h.settings.dataDir, 'blobs', 'slugs', pushed.appId));
    assert.deepEqual(slugs, [`${outcome.type === 'SlugBuilt' ? outcome.data.slug.id : ''}.tgz`]);
    const started = await jsm.streams.info(h.n.eventsStream, { subjects_filter: h.n.eventSubject('BuildStarted', pushed.appId) });
    assert.equal(Object.values(started.state.subjects ?? {})[0], 1, 'BuildStarted once');
    const out = await h.outputOf(pushed.data.buildId);
    assert.equal(out.end, 'succeeded');
    assert.equal(out.lines.filter((l) => l === '-----> Building on the Heroku-24 stack').length, 1, 'the build ran once');
  });
});
