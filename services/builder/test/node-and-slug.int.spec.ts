import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BuilderHarness } from './harness.js';

/** A Node app with a runtime dependency and a build-time one, both local (file:), so no registry is needed. */
const app = (version: string) => ({
  'package.json': JSON.stringify({
    name: 'built', version: '1.0.0',
    dependencies: { tiny: 'file:./vendor/tiny' },
    devDependencies: { maker: 'file:./vendor/maker' },
    scripts: { build: 'node -e "require(\'maker\')()"', start: 'node server.js' },
  }),
  'server.js': `// ${version}\n`,
  'vendor/tiny/package.json': JSON.stringify({ name: 'tiny', version: '1.0.0' }),
  'vendor/tiny/index.js': 'module.exports = 42;\n',
  'vendor/maker/package.json': JSON.stringify({ name: 'maker', version: '1.0.0' }),
  'vendor/maker/index.js': "module.exports = () => require('fs').writeFileSync('built.txt', 'made at build time');\n",
});

describe('builder: Node builds (build script, devDependencies pruned, cache) and slug rules', () => {
  let h: BuilderHarness;

  before(async () => {
    h = await BuilderHarness.start({ maxSlugMb: 1 });
  });

  after(async () => {
    await h?.cleanup();
  });

  test('the build script runs with devDependencies, which are pruned after; a second build restores node_modules from the cache', async () => {
    const appId = randomUUID();
    const first = await h.build({ files: app('v1') }, {}, appId);
    assert.equal(first.outcome.type, 'SlugBuilt', JSON.stringify(first.outcome.data));
    const out = await h.outputOf(first.pushed.data.buildId);
    assert.ok(out.lines.includes('       Running build'), out.lines.join('\n'));
    assert.ok(out.lines.includes('-----> Pruning devDependencies'), out.lines.join('\n'));
    const slug = await h.unpackSlug(first.outcome);
    assert.equal(await readFile(join(slug, 'built.txt'), 'utf8'), 'made at build time');
    await access(join(slug, 'node_modules', 'tiny'));
    await assert.rejects(access(join(slug, 'node_modules', 'maker')), 'devDependencies are not in the slug');

    const second = await h.build({ files: app('v2') }, {}, appId);
    assert.equal(second.outcome.type, 'SlugBuilt');
    const again = await h.outputOf(second.pushed.data.buildId);
    assert.ok(again.lines.some((l) => /Restored node_modules from the cache/.test(l)), again.lines.join('\n'));
    assert.ok(!again.lines.includes('       Installing node modules'));
    assert.equal(await readFile(join(await h.unpackSlug(second.outcome), 'built.txt'), 'utf8'), 'made at build time');

    const keep = await h.build({ files: app('v3') }, { NPM_CONFIG_PRODUCTION: 'false' }, appId);
    await access(join(await h.unpackSlug(keep.outcome), 'node_modules', 'maker'));
  });

  test('.slugignore removes files before the build; a slug over PAAS_MAX_SLUG_MB fails with its size', async () => {
    const small = await h.build({ files: { Procfile: 'web: x', '.slugignore': '*.bin\n/docs\n', 'big.bin': randomBytes(2 * 1024 * 1024).toString('base64'), 'docs/a.md': 'a', 'keep.txt': 'k' } });
    assert.equal(small.outcome.type, 'SlugBuilt', JSON.stringify(small.outcome.data));
    const dir = await h.unpackSlug(small.outcome);
    await access(join(dir, 'keep.txt'));
    await assert.rejects(access(join(dir, 'big.bin')));
    await assert.rejects(access(join(dir, 'docs')));

    const big = await h.build({ files: { Procfile: 'web: x', 'big.bin': randomBytes(2 * 1024 * 1024).toString('base64') } });
    assert.equal(big.outcome.type, 'BuildFailed');
    if (big.outcome.type !== 'BuildFailed') return;
    assert.match(big.outcome.data.reason, /Compiled slug size: 2\.\dM is too large \(max is 1M, PAAS_MAX_SLUG_MB\)/);
  });

  test('app.json formation travels with the slug; an unknown dyno size fails the build', async () => {
    const ok = await h.build({ files: { Procfile: 'web: a\nworker: b\n', 'app.json': JSON.stringify({ formation: { worker: { quantity: 2, size: 'Standard-2X' } } }) } });
    assert.equal(ok.outcome.type, 'SlugBuilt', JSON.stringify(ok.outcome.data));
    if (ok.outcome.type === 'SlugBuilt') assert.deepEqual(ok.outcome.data.slug.formation, { worker: { quantity: 2, size: 'standard-2x' } });
    const bad = await h.build({ files: { Procfile: 'web: a', 'app.json': JSON.stringify({ formation: { web: { quantity: 1, size: 'huge' } } }) } });
    assert.equal(bad.outcome.type, 'BuildFailed');
    if (bad.outcome.type === 'BuildFailed') assert.match(bad.outcome.data.reason, /app\.json: formation\.web\.size/);
  });
});
