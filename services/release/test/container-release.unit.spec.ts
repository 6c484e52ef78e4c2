import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AppCommand } from '../src/domain/decide.js';
import type { ReleasedImage } from '../src/domain/container-release.js';
import { create, deploy, given, only, OWNER, slug, when } from './domain-fixtures.js';

const RECORD = { key: 'container-releases/app/1.json', checksum: `sha256:${'b'.repeat(64)}`, size: 99 };
const image = (type: string, n: string, command = 'node server.js'): ReleasedImage => ({
  id: `127.0.0.1:5003/myapp/${type}@sha256:${n.repeat(64)}`, tag: `127.0.0.1:5003/myapp/${type}:latest`, command, imageId: `sha256:${n.repeat(12)}${'0'.repeat(52)}`,
});
const releaseImages = (images: Record<string, ReleasedImage>, by = 'dev@example.com'): AppCommand => ({ type: 'ReleaseImages', images, record: RECORD, by });

describe('container:release (ReleaseImages)', () => {
  test('given a new app, when web is released from an image, then a release runs the image with its command, credited to the caller, and web is scaled to 1', () => {
    const events = when(given(create()), releaseImages({ web: image('web', '1') }));
    const r = only(events, 'ReleaseCreated');
    assert.equal(r.description, 'Deployed web (111111111111)');
    assert.equal(r.by, 'dev@example.com');
    assert.deepEqual(r.slug?.images, { web: { id: image('web', '1').id, tag: image('web', '1').tag } });
    assert.deepEqual(r.slug?.processTypes, { web: 'node server.js' });
    assert.equal(r.slug?.buildpack, 'container');
    assert.deepEqual(r.slug?.blob, RECORD);
    assert.deepEqual(only(events, 'FormationScaled').changed, [{ type: 'web', quantity: 1, size: 'standard-1x' }]);
  });

  test('given a container release of web and worker, when only web is released again, then worker keeps its image and the scale is left alone', () => {
    const state = given(create(), releaseImages({ web: image('web', '1'), worker: image('worker', '2', 'node work.js') }));
    const events = when(state, releaseImages({ web: image('web', '3') }));
    assert.deepEqual(events.map((e) => e.type), ['ReleaseCreated']);
    const r = only(events, 'ReleaseCreated');
    assert.equal(r.description, 'Deployed web (333333333333)');
    assert.deepEqual(Object.keys(r.slug!.images!).sort(), ['web', 'worker']);
    assert.equal(r.slug!.images!.worker!.id, image('worker', '2').id);
    assert.equal(r.slug!.images!.web!.id, image('web', '3').id);
    assert.deepEqual(r.slug!.processTypes, { web: 'node server.js', worker: 'node work.js' });
  });

  test('given an app deployed from source, when an image is released, then the slug types are dropped (they ran from the slug) and the config is kept', () => {
    const state = given(create(), { type: 'SetConfigVars', changes: { GREETING: 'hi' }, by: OWNER }, deploy(slug({ web: 'npm start', worker: 'node w.js' })));
    const r = only(when(state, releaseImages({ web: image('web', '4') })), 'ReleaseCreated');
    assert.deepEqual(r.slug!.processTypes, { web: 'node server.js' });
    assert.deepEqual(r.config, { GREETING: 'hi' });
    assert.equal(r.version, 4);
  });

  test('when no process type is named, then nothing is released and the error says what to send', () => {
    assert.throws(() => when(given(create()), releaseImages({})), /Name at least one process type/);
  });
});
