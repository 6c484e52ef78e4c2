// Builds the router's native data plane (native/src, a Node-API addon) with node-gyp against the
// headers of the node that runs this script, offline. make rebuilds only what changed.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..', '..');
const nodeGyp = join(root, 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
// Node's own headers: the npm setting, else next to this node binary (/usr/include/node for /usr/bin/node).
const nodedir = process.env.npm_config_nodedir || dirname(dirname(process.execPath));
if (!existsSync(join(nodedir, 'include', 'node', 'node_api.h'))) {
  console.error(`[paas] cannot build the router's native data plane: no Node headers under ${nodedir}/include/node; install them (Debian: nodejs-dev / libnode-dev) or set npm_config_nodedir`);
  process.exit(1);
}
const run = (cmd) => execFileSync(process.execPath, [nodeGyp, cmd, `--nodedir=${nodedir}`, '--loglevel=warn'], { cwd: here, stdio: 'inherit' });
if (!existsSync(join(here, 'build', 'Makefile'))) run('configure');
run('build');
