import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const GIT_ENV = {
  GIT_AUTHOR_NAME: 'Test', GIT_AUTHOR_EMAIL: 'test@example.com',
  GIT_COMMITTER_NAME: 'Test', GIT_COMMITTER_EMAIL: 'test@example.com',
  GIT_TERMINAL_PROMPT: '0', GIT_CONFIG_NOSYSTEM: '1', HOME: tmpdir(),
};

/** Runs git and returns its exit status and combined output. */
export function git(cwd: string, ...args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, { cwd, env: { ...process.env, ...GIT_ENV } });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, output }));
  });
}

/** A new git repository holding `files`, committed on main. */
export async function repoWith(files: Record<string, string>, message = 'first'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'paas-app-'));
  await git(dir, 'init', '--quiet', '--initial-branch=main');
  for (const [name, content] of Object.entries(files)) {
    await mkdir(dirname(join(dir, name)), { recursive: true });
    await writeFile(join(dir, name), content);
  }
  await git(dir, 'add', '-A');
  const r = await git(dir, 'commit', '--quiet', '--allow-empty', '-m', message);
  if (r.code !== 0) throw new Error(`git commit failed: ${r.output}`);
  return dir;
}

/** Directories a spec makes (repositories and others), removed together when it ends. */
export class Scratch {
  readonly dirs: string[] = [];

  /** Remembers a directory for remove(); returns it. */
  keep(dir: string): string {
    this.dirs.push(dir);
    return dir;
  }

  /** A new repository holding `files` (see repoWith), removed with the rest. */
  async repo(files: Record<string, string>, message?: string): Promise<string> {
    return this.keep(await repoWith(files, message));
  }

  async remove(): Promise<void> {
    await Promise.all(this.dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
  }
}

export const pushUrl = (apiUrl: string, key: string, app: string) => apiUrl.replace('http://', `http://git:${key}@`) + `/${app}.git`;

/** The sample apps: each answers with its config var GREETING and its DYNO. */
export const nodeApp = {
  'package.json': JSON.stringify({ name: 'hello', version: '1.0.0', scripts: { start: 'node server.js' } }),
  'server.js': `require('http').createServer((q, s) => s.end('node says ' + (process.env.GREETING || 'hello') + ' from ' + process.env.DYNO)).listen(process.env.PORT);\n`,
};

/** A dependency-free Python web server on $PORT (every address, as a dyno must bind) answering every GET with `str(<expr>)`. */
export const pythonServer = (expr: string) => [
  'import os',
  'from http.server import BaseHTTPRequestHandler, HTTPServer',
  'class H(BaseHTTPRequestHandler):',
  '    def do_GET(self):',
  `        body = str(${expr}).encode()`,
  '        self.send_response(200)',
  "        self.send_header('Content-Length', str(len(body)))",
  '        self.end_headers()',
  '        self.wfile.write(body)',
  "HTTPServer(('0.0.0.0', int(os.environ['PORT'])), H).serve_forever()",
  '',
].join('\n');

export const pythonApp = {
  'requirements.txt': '',
  Procfile: 'web: python3 app.py\n',
  'app.py': pythonServer("'python says ' + os.environ.get('GREETING', 'hello')"),
};
