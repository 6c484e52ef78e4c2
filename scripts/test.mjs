// `npm test`: builds, then runs every spec with node's test runner. An optional tier argument
// (unit, int, e2e) runs just that tier. Spec files run in parallel; each uses its own
// namespace, database and ports, so they never see each other.
import { spawnSync } from 'node:child_process';
import { readdirSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { checkBackingServices, installAndBuild, root } from './preflight.mjs';

const tier = process.argv[2];
installAndBuild();
await checkBackingServices();

const dirs = ['libs', 'services'].flatMap((d) => readdirSync(join(root, d)).map((p) => join(root, d, p, 'dist', 'test')));
dirs.push(join(root, 'cli', 'dist', 'test'), join(root, 'tests', 'dist'));
const files = dirs.filter(existsSync).flatMap((d) => readdirSync(d, { recursive: true })
  .filter((f) => String(f).endsWith('.spec.js'))
  .map((f) => join(d, String(f))))
  .filter((f) => !tier || f.endsWith(`.${tier}.spec.js`))
  .map((f) => relative(root, f))
  .sort();

if (files.length === 0) {
  console.error(`no ${tier ?? ''} spec files found`);
  process.exit(1);
}
const concurrency = process.env.TEST_CONCURRENCY || '3';
const r = spawnSync(process.execPath, ['--enable-source-maps', '--test', `--test-concurrency=${concurrency}`, '--test-reporter=spec', '--test-timeout=300000', ...files], { cwd: root, stdio: 'inherit', env: { ...process.env, PAAS_LOG_LEVEL: process.env.PAAS_LOG_LEVEL ?? 'warn', PAAS_RUNTIME: process.env.PAAS_RUNTIME ?? 'process' } });
process.exit(r.status ?? 1);
