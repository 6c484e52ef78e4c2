import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { BuildError } from '../domain/build-error.js';

export interface RunOptions {
  cwd: string;
  env: Record<string, string>;
  /** Aborting kills the command and everything it started; the abort reason is the failure told. */
  signal: AbortSignal;
  /** Each line the command prints, stdout and stderr alike, as it comes. */
  onLine: (line: string) => void;
  /** Runs the command through these first (setpriv and prlimit: as the app's user); messages name the command alone. */
  prefix?: readonly string[];
}

/**
 * Runs one build command as a child process in its own process group, streaming its output line
 * by line; resolves when it exits 0, otherwise fails the build saying what ran and how it ended.
 */
export function runCommand(argv: readonly string[], o: RunOptions): Promise<void> {
  const shown = argv.join(' ');
  if (o.signal.aborted) return Promise.reject(stopped(shown, o.signal));
  return new Promise((resolve, reject) => {
    const full = [...(o.prefix ?? []), ...argv];
    const child = spawn(full[0], full.slice(1), { cwd: o.cwd, env: o.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const kill = () => {
      // The negative pid reaches the whole group: npm and pip start children of their own.
      try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* already gone */ }
    };
    o.signal.addEventListener('abort', kill, { once: true });
    const lines = Promise.all([forEachLine(child.stdout, o.onLine), forEachLine(child.stderr, o.onLine)]);
    child.once('error', (err: NodeJS.ErrnoException) => {
      o.signal.removeEventListener('abort', kill);
      reject(err.code === 'ENOENT'
        ? new BuildError(`${argv[0]} is not installed on this builder, so "${shown}" could not run`)
        : new Error(`starting "${shown}": ${err.message}`));
    });
    child.once('close', (code, signal) => {
      o.signal.removeEventListener('abort', kill);
      void lines.then(() => {
        if (o.signal.aborted) reject(stopped(shown, o.signal));
        else if (code === 0) resolve();
        else if (code === 127 && o.prefix?.length) reject(new BuildError(`"${shown}" could not run: ${argv[0]} is not installed on this builder (or not open to the app's user)`));
        else reject(new BuildError(`"${shown}" ${code === null ? `was killed by ${signal}` : `exited with status ${code}`}`));
      });
    });
  });
}

function stopped(shown: string, signal: AbortSignal): BuildError {
  const why = signal.reason instanceof Error ? signal.reason.message : 'the build was stopped';
  return new BuildError(`"${shown}" was stopped: ${why}`);
}

async function forEachLine(stream: Readable, onLine: (line: string) => void): Promise<void> {
  for await (const line of createInterface({ input: stream, crlfDelay: Infinity })) onLine(String(line));
}
