import { spawn } from 'node:child_process';
import { CliError } from './errors.js';

/** Where docker's output goes (the CLI's own streams). */
export interface DockerOutput {
  readonly out: NodeJS.WritableStream;
  readonly err: NodeJS.WritableStream;
}

/** Runs the docker CLI with its output passed through; a failure says which docker command failed. */
export function docker(args: readonly string[], o: DockerOutput & { cwd?: string; input?: string; env?: NodeJS.ProcessEnv }): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('docker', args, { cwd: o.cwd, env: o.env, stdio: ['pipe', 'pipe', 'pipe'] });
    child.stdout.on('data', (d: Buffer) => o.out.write(d));
    child.stderr.on('data', (d: Buffer) => o.err.write(d));
    child.once('error', (err: NodeJS.ErrnoException) => reject(new CliError(err.code === 'ENOENT'
      ? 'docker is not installed (or not on PATH): install Docker to build and push images'
      : `could not run docker: ${err.message}`)));
    child.once('close', (code) => (code === 0 ? resolve() : reject(new CliError(`docker ${args[0]} exited with status ${code}`))));
    child.stdin.end(o.input ?? '');
  });
}

/** The id (`sha256:…`) of a local image, as `docker inspect --format {{.Id}}` prints it; undefined when there is none. */
export function imageId(reference: string, env?: NodeJS.ProcessEnv): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const child = spawn('docker', ['image', 'inspect', '--format', '{{.Id}}', reference], { env, stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.once('error', (err: NodeJS.ErrnoException) => reject(new CliError(err.code === 'ENOENT' ? 'docker is not installed (or not on PATH)' : `could not run docker: ${err.message}`)));
    child.once('close', (code) => resolve(code === 0 && out.trim() ? out.trim() : undefined));
  });
}
