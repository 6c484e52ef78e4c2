// Checks what the platform needs before anything starts: dependencies installed, code built,
// PostgreSQL and NATS reachable. Each failure says exactly what to run.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect as tcp } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Installs dependencies when node_modules is missing and builds every package (incremental). */
export function installAndBuild() {
  if (!existsSync(join(root, 'node_modules', '.package-lock.json'))) {
    console.log('[paas] installing dependencies (npm ci)...');
    execFileSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
  }
  console.log('[paas] building (tsc -b)...');
  execFileSync(join(root, 'node_modules', '.bin', 'tsc'), ['-b'], { cwd: root, stdio: 'inherit' });
  console.log('[paas] building the router\'s native data plane (node-gyp)...');
  try {
    execFileSync(process.execPath, [join(root, 'services', 'router', 'native', 'build.mjs')], { cwd: root, stdio: 'inherit' });
  } catch {
    // Not fatal: the router serves with its TypeScript data plane (slower) and says so at boot.
    console.warn('[paas] the router\'s native data plane did not build (see above): install a C compiler and make (Debian: build-essential) for it; the router uses its TypeScript data plane meanwhile');
  }
}

function reachable(host, port, timeoutMs = 2000) {
  return new Promise((resolve) => {
    const s = tcp({ host, port });
    const done = (ok) => { s.destroy(); resolve(ok); };
    s.setTimeout(timeoutMs, () => done(false));
    s.on('connect', () => done(true));
    s.on('error', () => done(false));
  });
}

/** Fails with the command to run when PostgreSQL or NATS does not answer. */
export async function checkBackingServices(env = process.env) {
  const db = new URL(env.DATABASE_URL || 'postgres://127.0.0.1:5432/paas');
  const nats = new URL((env.NATS_URL || 'nats://127.0.0.1:4222').split(',')[0]);
  const problems = [];
  if (!(await reachable(db.hostname, Number(db.port || 5432)))) {
    problems.push(`PostgreSQL is not answering at ${db.hostname}:${db.port || 5432}.\n` +
      `  Start it: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start\n` +
      `  (or: docker compose up -d postgres), or point DATABASE_URL at your server.`);
  }
  if (!(await reachable(nats.hostname, Number(nats.port || 4222)))) {
    problems.push(`NATS is not answering at ${nats.hostname}:${nats.port || 4222}.\n` +
      `  Start it with JetStream: nats-server -a ${nats.hostname} -p ${nats.port || 4222} -js -sd /var/lib/nats-server\n` +
      `  (or: docker compose up -d nats), or point NATS_URL at your server.`);
  }
  if (problems.length) {
    console.error(`[paas] cannot start:\n- ${problems.join('\n- ')}`);
    process.exit(1);
  }
}
