import { spawn } from 'node:child_process';
import { runInBackground, type Background } from './background.js';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// tests/dist/src -> the repository root
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
/** The `bin` of the root package: what `npx paas` runs. */
export const PAAS_BIN = join(root, 'cli', 'bin', 'paas.js');
export const REPO_ROOT = root;

export interface PaasResult { code: number; stdout: string; stderr: string; out: string }

/** The `paas` CLI as a user runs it: its own process, a throwaway HOME, settings only from the environment. */
export class PaasCli {
  private constructor(readonly env: NodeJS.ProcessEnv) {}

  /** `env` adds to (or, with undefined values, removes from) the CLI's environment. */
  static async create(env: Record<string, string | undefined>): Promise<PaasCli> {
    const home = await mkdtemp(join(tmpdir(), 'paas-home-'));
    const base: NodeJS.ProcessEnv = {
      PATH: process.env.PATH, HOME: home, NO_COLOR: '1',
      GIT_AUTHOR_NAME: 'Test', GIT_AUTHOR_EMAIL: 'test@example.com', GIT_COMMITTER_NAME: 'Test', GIT_COMMITTER_EMAIL: 'test@example.com',
      GIT_TERMINAL_PROMPT: '0', GIT_CONFIG_NOSYSTEM: '1',
    };
    for (const [k, v] of Object.entries(env)) if (v === undefined) delete base[k]; else base[k] = v;
    return new PaasCli(base);
  }

  get home(): string {
    return this.env.HOME!;
  }

  /** A copy with more (or fewer) environment variables, same HOME. */
  with(env: Record<string, string | undefined>): PaasCli {
    const next = { ...this.env };
    for (const [k, v] of Object.entries(env)) if (v === undefined) delete next[k]; else next[k] = v;
    return new PaasCli(next);
  }

  /** Runs one command to its end; `input` is piped to its stdin (else stdin is empty). */
  run(args: string[], opts: { cwd?: string; input?: string; timeoutMs?: number } = {}): Promise<PaasResult> {
    return this.exec(process.execPath, [PAAS_BIN, ...args], opts);
  }

  /** Runs git with the CLI's environment (its HOME, PAAS_API_KEY for the credential helper). */
  git(cwd: string, args: string[]): Promise<PaasResult> {
    return this.exec('git', args, { cwd, timeoutMs: 180_000 });
  }

  /** Starts a long-running command (`logs --tail`); its output so far is readable at any time. */
  background(args: string[], cwd?: string): Background {
    return runInBackground(process.execPath, [PAAS_BIN, ...args], { cwd: cwd ?? this.home, env: this.env });
  }

  exec(cmd: string, args: string[], opts: { cwd?: string; input?: string; timeoutMs?: number }): Promise<PaasResult> {
    return new Promise((resolve, reject) => {
      const child = spawn(cmd, args, { cwd: opts.cwd ?? this.home, env: this.env, stdio: ['pipe', 'pipe', 'pipe'] });
      // A command that never reads its input may be gone before the input is written.
      child.stdin.on('error', () => undefined);
      child.stdin.end(opts.input ?? '');
      let stdout = '';
      let stderr = '';
      let out = '';
      child.stdout.on('data', (d) => { stdout += d; out += d; });
      child.stderr.on('data', (d) => { stderr += d; out += d; });
      const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
      child.on('error', reject);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code: code ?? 1, stdout, stderr, out });
      });
    });
  }
}
