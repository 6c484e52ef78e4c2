import { execFile, spawn } from 'node:child_process';
import { runInBackground, type Background } from './background.js';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

/** Where the real Heroku CLI is cached (outside the repo: it is ~400 MB). */
export const HEROKU_CLI_DIR = process.env.HEROKU_CLI_DIR || '/var/cache/paas-ci/heroku-cli';
const BIN = join(HEROKU_CLI_DIR, 'node_modules', '.bin', 'heroku');

/**
 * Installs the heroku npm package into the cache once; later runs reuse it. Spec files run in
 * parallel and several need it: each installs into a directory of its own and moves it into
 * place, and the first to land wins, so no install ever sees another's half-written tree.
 */
export async function ensureHerokuCli(): Promise<string> {
  if (existsSync(BIN)) return BIN;
  await mkdir(dirname(HEROKU_CLI_DIR), { recursive: true });
  const own = await mkdtemp(`${HEROKU_CLI_DIR}.installing-`);
  try {
    await promisify(execFile)('npm', ['install', '--prefix', own, '--no-audit', '--no-fund', 'heroku@11'], { maxBuffer: 64 * 1024 * 1024 });
    // A directory without the CLI is what an interrupted install left: ours replaces it.
    if (existsSync(HEROKU_CLI_DIR) && !existsSync(BIN)) await rm(HEROKU_CLI_DIR, { recursive: true, force: true });
    await rename(own, HEROKU_CLI_DIR).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOTEMPTY' && err.code !== 'EEXIST') throw err;
    });
  } finally {
    await rm(own, { recursive: true, force: true });
  }
  if (!existsSync(BIN)) throw new Error(`npm installed heroku but ${BIN} is missing`);
  return BIN;
}

export interface CliResult { code: number; out: string }

/** The real `heroku` CLI pointed at our api, with a throwaway HOME so nothing of the machine's leaks in. */
export class HerokuCli {
  private constructor(private readonly bin: string, private readonly env: NodeJS.ProcessEnv) {}

  /** `extraEnv` adds to the CLI's environment, e.g. HEROKU_GIT_HOST or NODE_EXTRA_CA_CERTS. */
  static async create(apiUrl: string, apiKey: string, extraEnv: Record<string, string> = {}): Promise<HerokuCli> {
    const bin = await ensureHerokuCli();
    const home = await mkdtemp(join(tmpdir(), 'heroku-home-'));
    return new HerokuCli(bin, {
      PATH: process.env.PATH, HOME: home, XDG_CACHE_HOME: join(home, '.cache'), XDG_CONFIG_HOME: join(home, '.config'), XDG_DATA_HOME: join(home, '.local', 'share'),
      HEROKU_HOST: apiUrl, HEROKU_API_KEY: apiKey, HEROKU_PARTICLEBOARD_URL: apiUrl, DISABLE_TELEMETRY: 'true',
      HEROKU_SKIP_NEW_VERSION_CHECK: 'true', HEROKU_DISABLE_AUTOUPDATE: '1', NO_COLOR: '1', FORCE_COLOR: '0', COLUMNS: '200',
      ...extraEnv,
    });
  }

  get home(): string {
    return this.env.HOME!;
  }

  /** Starts a long-running command (logs --tail); its output so far is readable at any time. */
  background(args: string[]): Background {
    return runInBackground(this.bin, args, { cwd: this.home, env: this.env });
  }

  /** Runs one command; resolves with its exit status and its stdout+stderr. `input` is piped to its stdin (else none). */
  run(args: string[], opts: { cwd?: string; timeoutMs?: number; input?: string } = {}): Promise<CliResult> {
    return this.spawn(this.bin, args, opts);
  }

  /**
   * Runs one command with a terminal of 120x40 as its stdin and stdout, as from a person's shell:
   * util-linux `script` gives it a pseudo-terminal (its output then has \r\n line ends).
   */
  runInTerminal(args: string[], opts: { timeoutMs?: number } = {}): Promise<CliResult> {
    const quote = (w: string) => `'${w.replace(/'/g, `'\\''`)}'`;
    const inner = `stty cols 120 rows 40; exec ${[this.bin, ...args].map(quote).join(' ')}`;
    return new Promise((resolve, reject) => {
      // stdin stays open: at its end `script` would type an end-of-file into the terminal.
      const child = spawn('script', ['-q', '-e', '-c', inner, '/dev/null'], { cwd: this.home, env: this.env, stdio: ['pipe', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (out += d));
      const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
      child.on('error', reject);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code: code ?? 1, out });
      });
    });
  }

  /**
   * Runs a command that prompts (`login -i`): each answer is typed once its prompt has been shown,
   * as a person would; piping all answers at once lets the first prompt swallow them.
   */
  interact(args: string[], answers: { after: RegExp; type: string }[], timeoutMs = 60_000): Promise<CliResult> {
    return new Promise((resolve, reject) => {
      const child = spawn(this.bin, args, { cwd: this.home, env: this.env, stdio: ['pipe', 'pipe', 'pipe'] });
      let out = '';
      const pending = [...answers];
      const onData = (d: Buffer) => {
        out += d;
        // Answer only what the output asks for since the last answer was typed.
        while (pending.length && pending[0].after.test(out.slice(answeredAt))) {
          const next = pending.shift()!;
          answeredAt = out.length;
          child.stdin.write(next.type);
        }
        if (!pending.length) child.stdin.end();
      };
      let answeredAt = 0;
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      child.on('error', reject);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code: code ?? 1, out });
      });
    });
  }

  /**
   * Runs git as a user of this CLI would: same HOME (whose ~/.gitconfig holds the `heroku git:credentials`
   * helper apps:create set up), `heroku` on PATH, plus `extraEnv` (e.g. GIT_SSL_CAINFO).
   */
  git(cwd: string, args: string[], extraEnv: Record<string, string> = {}): Promise<CliResult> {
    const env = {
      ...this.env, ...extraEnv, PATH: `${dirname(this.bin)}:${this.env.PATH}`, GIT_TERMINAL_PROMPT: '0', GIT_CONFIG_NOSYSTEM: '1',
      GIT_AUTHOR_NAME: 'Test', GIT_AUTHOR_EMAIL: 'test@example.com', GIT_COMMITTER_NAME: 'Test', GIT_COMMITTER_EMAIL: 'test@example.com',
    };
    return this.spawn('git', args, { cwd, timeoutMs: 180_000 }, env);
  }

  private spawn(cmd: string, args: string[], opts: { cwd?: string; timeoutMs?: number; input?: string }, env = this.env): Promise<CliResult> {
    return new Promise((resolve, reject) => {
      const child = spawn(cmd, args, { cwd: opts.cwd ?? this.home, env, stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
      if (opts.input !== undefined) child.stdin!.end(opts.input);
      let out = '';
      child.stdout!.on('data', (d) => (out += d));
      child.stderr!.on('data', (d) => (out += d));
      const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
      child.on('error', reject);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code: code ?? 1, out });
      });
    });
  }
}
