import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { InMemorySpanExporter, initTelemetry, type ReadableSpan } from '@paas/telemetry';
import { waitFor } from '@paas/testing';
import { git, nodeApp, pushUrl, repoWith } from './git.js';
import { InProcessPlatform } from './in-process.js';

const spans = new InMemorySpanExporter();
initTelemetry('system-test', { exporter: spans });

describe('one git push is one trace across api, builder, release and dyno-manager', () => {
  let p: InProcessPlatform | undefined;
  let repo: string | undefined;

  before(async () => {
    p = await InProcessPlatform.start('trace', 'trace-key');
  });

  after(async () => {
    await p?.stop();
    if (repo) await rm(repo, { recursive: true, force: true });
  });

  test('the spans of a push form one parent chain from the push to the dyno start', async () => {
    const url = p!.apiUrl;
    const created = await fetch(`${url}/apps`, { method: 'POST', headers: { authorization: 'Bearer trace-key', 'content-type': 'application/json' }, body: JSON.stringify({ name: 'traced' }) });
    assert.equal(created.status, 201);
    repo = await repoWith(nodeApp);
    const push = await git(repo, 'push', pushUrl(url, 'trace-key', 'traced'), 'main');
    assert.equal(push.code, 0, push.output);

    const byId = new Map<string, ReadableSpan>();
    const leaf = await waitFor('the dyno-manager to handle the release of the push', () => {
      for (const s of spans.getFinishedSpans()) byId.set(s.spanContext().spanId, s);
      return [...byId.values()].find((s) => s.name === 'ReleaseCreated process' && s.instrumentationScope.name === 'dyno-manager'
        && chain(s, byId).some((p) => p.name === 'git receive-pack'));
    });
    const path = chain(leaf, byId);
    const services = [...new Set(path.map((s) => s.instrumentationScope.name))];
    assert.deepEqual(services.sort(), ['api', 'builder', 'dyno-manager', 'release']);
    assert.equal(new Set(path.map((s) => s.spanContext().traceId)).size, 1);
    const names = path.map((s) => s.name);
    for (const expected of ['git receive-pack', 'git pre-receive', 'SourcePushed publish', 'SourcePushed process', 'SlugBuilt publish', 'SlugBuilt process', 'ReleaseCreated publish', 'ReleaseCreated process']) {
      assert.ok(names.includes(expected), `${expected} is in the chain: ${names.join(' <- ')}`);
    }
  });
});

/** The span and its ancestors, leaf first. */
function chain(span: ReadableSpan, byId: Map<string, ReadableSpan>): ReadableSpan[] {
  const out = [span];
  let cur = span;
  while (cur.parentSpanContext?.spanId && byId.has(cur.parentSpanContext.spanId)) {
    cur = byId.get(cur.parentSpanContext.spanId)!;
    out.push(cur);
  }
  return out;
}
