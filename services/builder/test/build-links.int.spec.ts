import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { appUid, canSwitchUsers } from '@paas/isolation';
import { BuildFiles } from '../src/adapters/build-files.js';
import { HostSandbox } from '../src/adapters/host-sandbox.js';
import { BuilderHarness } from './harness.js';

const run = promisify(execFile);
const IMAGE = process.env.PAAS_STACK_IMAGE || 'paas/stack:bookworm';
const noStack = await run('docker', ['image', 'inspect', IMAGE]).then(() => false, () => `no Docker engine with the stack image ${IMAGE}`);

/** A Node app whose build plants `link` (relative to the app's cache, a link to `target`) once its dependencies are saved. */
const planter = (version: string, link: string, target: string) => ({
  'package.json': JSON.stringify({
    name: 'planter', version: '1.0.0',
    dependencies: { tiny: 'file:./vendor/tiny' },
    scripts: {
      start: 'node server.js',
      // npm's cache is <cache>/tools/npm: two levels up is the app's cache.
      'heroku-postbuild': `c="$npm_config_cache/../.."; rm -rf "$c/${link}"; ln -s '${target}' "$c/${link}" && echo planted`,
    },
  }),
  'server.js': `// ${version}\n`,
  'vendor/tiny/package.json': JSON.stringify({ name: 'tiny', version: version.replace('v', '1.0.') }),
});

/** What a directory holds, names and contents, to see that nothing moved. */
async function snapshot(dir: string): Promise<string> {
  const names = (await readdir(dir, { recursive: true })).map(String).sort();
  const parts = await Promise.all(names.map(async (n) => `${n}:${(await stat(join(dir, n))).isFile() ? await readFile(join(dir, n), 'utf8') : 'dir'}`));
  return parts.join('\n');
}

for (const place of ['host', 'stack'] as const) {
  const skip = place === 'host' ? (canSwitchUsers() ? false : 'builds run as an app user only as root') : noStack;
  describe(`builder (${place === 'host' ? 'process runtime' : 'docker runtime'}): links a build plants in its cache or app lead nowhere outside them`, { skip }, () => {
    let h: BuilderHarness;
    let outside: string;
    let before_: string;

    before(async () => {
      h = await BuilderHarness.start(place === 'stack' ? { buildIn: 'stack', stackImage: IMAGE, buildTimeoutMs: 240_000 } : {});
      // A directory of the builder's host, outside every app's cache (root's, as the platform's files are).
      outside = await h.tempDir('paas-outside-');
      await mkdir(join(outside, 'node_modules'));
      await writeFile(join(outside, 'keep'), 'untouched');
      before_ = await snapshot(outside);
    });

    after(async () => {
      await h?.cleanup();
    });

    test('the cache\'s trees made a link out: the next build\'s save and restore change nothing there', async () => {
      const appId = randomUUID();
      const first = await h.build({ files: planter('v1', 'trees', outside) }, {}, appId);
      assert.equal(first.outcome.type, 'SlugBuilt', JSON.stringify(first.outcome.data));
      assert.ok((await h.outputOf(first.pushed.data.buildId)).lines.includes('       planted'));
      const second = await h.build({ files: planter('v2', 'trees', outside) }, {}, appId);
      const out = await h.outputOf(second.pushed.data.buildId);
      assert.equal(second.outcome.type, 'SlugBuilt', out.lines.join('\n'));
      assert.equal(await snapshot(outside), before_, 'nothing outside the cache moved');
    });

    test('a tool\'s cache dir made a dangling link out: the next build, which makes that dir, makes nothing there', async () => {
      const appId = randomUUID();
      const first = await h.build({ files: planter('v1', 'tools/yarn', join(outside, 'made-by-the-build')) }, {}, appId);
      assert.equal(first.outcome.type, 'SlugBuilt', JSON.stringify(first.outcome.data));
      // Whether it can build with a cache it broke itself is its own affair; the host's files are not.
      await h.build({ files: planter('v2', 'tools/yarn', join(outside, 'made-by-the-build')) }, {}, appId);
      assert.equal(await snapshot(outside), before_, 'nothing outside the cache moved');
    });
  });
}

describe('builder (process runtime): .profile.d planted as a link out of the app is written as the build, never through the link', { skip: canSwitchUsers() ? false : 'needs root' }, () => {
  let h: BuilderHarness;

  before(async () => {
    h = await BuilderHarness.start();
  });

  after(async () => {
    await h?.cleanup();
  });

  test('the .profile.d script goes nowhere when .profile.d leads outside', async () => {
    const outside = await h.tempDir('paas-outside-');
    await writeFile(join(outside, 'keep'), 'untouched');
    const app = await h.tempDir('paas-app-');
    await symlink(outside, join(app, '.profile.d'));
    const uid = await appUid(h.settings.dataDir, randomUUID());
    await run('chown', ['-R', '-h', `${uid}:${uid}`, app]);
    const files = new BuildFiles(new HostSandbox({ uid, limits: { memoryMb: 512, processes: 256, files: 1024 } }), new AbortController().signal);
    await assert.rejects(files.write(join(app, '.profile.d', 'python.sh'), 'export PATH=/evil:$PATH\n', '755'));
    assert.deepEqual(await readdir(outside), ['keep']);
  });
});
