import { spawn } from 'node:child_process';
import { access, mkdir, writeFile, chmod } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createGunzip } from 'node:zlib';
import type { Request, Response } from 'express';
import { pipeline } from 'node:stream/promises';

export type GitService = 'git-receive-pack' | 'git-upload-pack';

export function isGitService(s: unknown): s is GitService {
  return s === 'git-receive-pack' || s === 'git-upload-pack';
}

/** Creates the bare repository of an app on its first push. */
export async function ensureBareRepo(path: string): Promise<void> {
  if (await access(join(path, 'HEAD')).then(() => true, () => false)) return;
  await mkdir(path, { recursive: true });
  await run('git', ['init', '--bare', '--quiet', '--initial-branch=main', path]);
}

/** Writes the hooks directory whose pre-receive hands the push to this api process. */
export async function installHooks(hooksDir: string): Promise<void> {
  const script = join(dirname(fileURLToPath(import.meta.url)), 'pre-receive.js');
  await mkdir(hooksDir, { recursive: true });
  const hook = join(hooksDir, 'pre-receive');
  await writeFile(hook, `#!/bin/sh\nexec "${process.execPath}" "${script}"\n`);
  await chmod(hook, 0o755);
}

/** Answers GET info/refs: the pkt-line service header followed by git's ref advertisement. */
export async function advertiseRefs(service: GitService, repo: string, res: Response): Promise<void> {
  res.status(200);
  res.setHeader('Content-Type', `application/x-${service}-advertisement`);
  res.setHeader('Cache-Control', 'no-cache');
  const header = `# service=${service}\n`;
  res.write((header.length + 4).toString(16).padStart(4, '0') + header + '0000');
  const child = spawn('git', [service.slice(4), '--stateless-rpc', '--advertise-refs', repo]);
  child.stderr.resume();
  await pipeline(child.stdout, res);
}

/** Runs one stateless RPC of git (a push or a fetch), streaming the request in and the answer out. */
export async function serviceRpc(service: GitService, repo: string, req: Request, res: Response, env: NodeJS.ProcessEnv, hooksDir: string): Promise<number> {
  res.status(200);
  res.setHeader('Content-Type', `application/x-${service}-result`);
  res.setHeader('Cache-Control', 'no-cache');
  const child = spawn('git', ['-c', `core.hooksPath=${hooksDir}`, service.slice(4), '--stateless-rpc', repo], { env: { ...process.env, ...env } });
  child.stderr.resume();
  const body = req.headers['content-encoding'] === 'gzip' ? req.pipe(createGunzip()) : req;
  const exited = new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? 1)));
  await Promise.all([pipeline(body, child.stdin).catch(() => undefined), pipeline(child.stdout, res)]);
  return exited;
}

function run(cmd: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} ${args[0]} failed: ${err.trim()}`))));
  });
}
