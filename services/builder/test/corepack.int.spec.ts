import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { BuilderHarness } from './harness.js';

// Locked installs of `ms` from the npm registry (reachable here) through corepack's pnpm and yarn.
const PNPM_LOCK = `lockfileVersion: '9.0'

settings:
  autoInstallPeers: true
  excludeLinksFromLockfile: false

importers:

  .:
    dependencies:
      ms:
        specifier: 2.1.3
        version: 2.1.3

packages:

  ms@2.1.3:
    resolution: {integrity: sha512-6FlzubTLZG3J2a/NVCAleEhjzq5oxgHyaCU9yYXvcLsvoVaHJq/s5xXI6/XXP6tz7R9xAOtHnSO/tXtF3WRTlA==}

snapshots:

  ms@2.1.3: {}
`;
const YARN_LOCK = `# yarn lockfile v1


ms@2.1.3:
  version "2.1.3"
  resolved "https://registry.yarnpkg.com/ms/-/ms-2.1.3.tgz#574c8138ce1d2b5861f0b44579dbadd60c6615b2"
  integrity sha512-6FlzubTLZG3J2a/NVCAleEhjzq5oxgHyaCU9yYXvcLsvoVaHJq/s5xXI6/XXP6tz7R9xAOtHnSO/tXtF3WRTlA==
`;
// npm mirrors may serve package metadata without signatures, which corepack then refuses.
const CONFIG = { COREPACK_INTEGRITY_KEYS: '0' };

describe('builder: yarn.lock and pnpm-lock.yaml install through corepack', () => {
  let h: BuilderHarness;

  before(async () => {
    h = await BuilderHarness.start({ buildTimeoutMs: 240_000 });
  });

  after(async () => {
    await h?.cleanup();
  });

  for (const [tool, lockName, lock, manager] of [['pnpm', 'pnpm-lock.yaml', PNPM_LOCK, 'pnpm@9.15.0'], ['yarn', 'yarn.lock', YARN_LOCK, 'yarn@1.22.22']] as const) {
    test(`${lockName}: corepack ${tool} installs the locked dependency`, async () => {
      const pkg = { name: 'p', version: '1.0.0', packageManager: manager, dependencies: { ms: '2.1.3' }, scripts: { start: 'node -e "require(\'ms\')"' } };
      const { outcome, pushed } = await h.build({ files: { 'package.json': JSON.stringify(pkg), [lockName]: lock } }, CONFIG);
      const out = await h.outputOf(pushed.data.buildId);
      assert.equal(outcome.type, 'SlugBuilt', out.lines.join('\n'));
      assert.ok(out.lines.includes(`       Installing node modules (${lockName})`), out.lines.join('\n'));
      await access(join(await h.unpackSlug(outcome), 'node_modules', 'ms', 'package.json'));
    });
  }
});
