import { spawn } from 'node:child_process';

/** A long-running command (`logs --tail`, say): its output so far is readable at any time. */
export interface Background {
  output: () => string;
  stop: () => Promise<void>;
}

/** Starts `command` with its stdout and stderr collected; stop() ends it and waits until it is gone. */
export function runInBackground(command: string, args: string[], o: { cwd: string; env: NodeJS.ProcessEnv }): Background {
  const child = spawn(command, args, { cwd: o.cwd, env: o.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
  return {
    output: () => out,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
