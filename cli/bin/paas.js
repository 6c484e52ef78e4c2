#!/usr/bin/env node
// The `paas` command: runs the compiled CLI (build it with `npx tsc -b` at the repository root).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const main = new URL('../dist/src/main.js', import.meta.url);
if (!existsSync(fileURLToPath(main))) {
  process.stderr.write(' ▸    paas is not built yet: run `npm ci && npx tsc -b` at the repository root, then try again.\n');
  process.exit(1);
}
// `paas logs --tail | head`: the reader went away, which ends the command without an error.
process.stdout.on('error', (err) => process.exit(err.code === 'EPIPE' ? 0 : 1));
const { run } = await import(main.href);
process.exitCode = await run(process.argv);
