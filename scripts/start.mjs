// `npm start`: builds what is missing, checks PostgreSQL and NATS, then runs the five services
// in the foreground, each its own process, with prefixed logs. Ctrl-C stops them all.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { checkBackingServices, installAndBuild, root } from './preflight.mjs';

const SERVICES = ['release', 'builder', 'dyno-manager', 'router', 'api'];
const COLORS = [32, 33, 35, 36, 34];

installAndBuild();
await checkBackingServices();

const children = new Map();
let stopping = false;

function prefixed(stream, name, color) {
  let buf = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk) => {
    buf += chunk;
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      process.stdout.write(`\x1b[${color}m${name.padEnd(12)}|\x1b[0m ${buf.slice(0, i)}\n`);
      buf = buf.slice(i + 1);
    }
  });
}

function stopAll(code) {
  if (stopping) return;
  stopping = true;
  for (const child of children.values()) child.kill('SIGTERM');
  const wait = setInterval(() => {
    if ([...children.values()].every((c) => c.exitCode !== null || c.signalCode !== null)) {
      clearInterval(wait);
      process.exit(code);
    }
  }, 100);
}

SERVICES.forEach((name, i) => {
  const child = spawn(process.execPath, ['--enable-source-maps', join(root, 'services', name, 'dist', 'src', 'main.js')], {
    cwd: root, env: { ...process.env, FORCE_COLOR: process.env.FORCE_COLOR ?? '1' }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.set(name, child);
  prefixed(child.stdout, name, COLORS[i]);
  prefixed(child.stderr, name, COLORS[i]);
  child.on('exit', (code, signal) => {
    if (stopping) return;
    console.error(`[paas] ${name} exited (${signal ?? `status ${code}`}); stopping the platform.`);
    stopAll(code || 1);
  });
});

process.on('SIGINT', () => stopAll(0));
process.on('SIGTERM', () => stopAll(0));
