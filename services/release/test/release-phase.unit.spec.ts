import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { PaasError } from '@paas/contracts';
import { liveRelease } from '../src/domain/app-state.js';
import type { AppCommand } from '../src/domain/decide.js';
import { apiLogLines } from '../src/domain/api-log-lines.js';
import { BUILD_1, BUILD_2, create, deploy, given, only, OWNER, rollback, setConfig, slug, when } from './domain-fixtures.js';

const phase = (version: number, exitCode: number | null): AppCommand =>
  ({ type: 'RecordReleasePhase', version, succeeded: exitCode === 0, exitCode, dyno: 'release.1234' });
const good = slug({ web: 'node server.js' }, 'aaaaaaa1', 'c0000000-0000-4000-8000-00000000000a');
const migrating = slug({ web: 'node server.js', release: './migrate' }, 'bbbbbbb2', 'c0000000-0000-4000-8000-00000000000b');

describe('release phase outcomes', () => {
  test('given a deploy of a slug with a release command, then the release is pending; without one it succeeded', () => {
    const s = given(create(), deploy(good, BUILD_1), deploy(migrating, BUILD_2));
    assert.deepEqual(s.releases.map((r) => [r.version, r.status]), [[1, 'succeeded'], [2, 'succeeded'], [3, 'pending']]);
  });

  test('given a pending release, when its phase exits non-zero, then it failed and the live release is the previous one', () => {
    const s = given(create(), deploy(good, BUILD_1), deploy(migrating, BUILD_2));
    const events = when(s, phase(3, 3));
    const changed = only(events, 'ReleaseStatusChanged');
    assert.deepEqual([changed.version, changed.status, changed.exitCode, changed.dyno, changed.by], [3, 'failed', 3, 'release.1234', OWNER]);
    const after = given(create(), deploy(good, BUILD_1), deploy(migrating, BUILD_2), phase(3, 3));
    assert.equal(liveRelease(after)?.version, 2);
    assert.deepEqual(apiLogLines('ReleaseStatusChanged', changed), [`Release v3 command failed by user ${OWNER}`]);
  });

  test('given a pending release, when its phase exits 0, then it succeeded and logs nothing more', () => {
    const changed = only(when(given(create(), deploy(migrating, BUILD_1)), phase(2, 0)), 'ReleaseStatusChanged');
    assert.equal(changed.status, 'succeeded');
    assert.deepEqual(apiLogLines('ReleaseStatusChanged', changed), []);
  });

  test('given a recorded outcome, when the same ReleasePhaseFinished comes again (or for a release without a phase), then nothing changes', () => {
    const s = given(create(), deploy(migrating, BUILD_1), phase(2, 3));
    assert.deepEqual(when(s, phase(2, 3)), []);
    assert.deepEqual(when(s, phase(2, 0)), [], 'a failed release stays failed');
    assert.deepEqual(when(s, phase(1, 0)), [], 'v1 had no release phase');
    assert.deepEqual(when(s, phase(9, 0)), [], 'no such release');
  });

  test('given a failed release, when rolling back to it, then illegal_state says to pick a release that succeeded', () => {
    const s = given(create(), deploy(good, BUILD_1), deploy(migrating, BUILD_2), phase(3, 1));
    assert.throws(() => when(s, rollback(3)), (e: PaasError) => e.id === 'illegal_state' && /v3: its release command failed/.test(e.message));
    assert.equal(only(when(s, rollback(2)), 'ReleaseCreated').slug?.id, good.id, 'the live release is still a rollback target');
  });

  test('given a failed deploy, when config changes, then the new release builds on the live slug, not the failed one', () => {
    const s = given(create(), deploy(good, BUILD_1), deploy(migrating, BUILD_2), phase(3, 1));
    const r = only(when(s, setConfig({ A: '1' })), 'ReleaseCreated');
    assert.deepEqual([r.version, r.slug?.id], [4, good.id]);
  });
});
