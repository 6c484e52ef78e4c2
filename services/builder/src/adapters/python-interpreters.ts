import { execFile } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import type { StackPython } from '../buildpacks/context.js';

const run = promisify(execFile);
const NAME = /^python3\.\d+$/;
/** Prints "<x.y.z> <pip version or ->" for the interpreter running it (it needs venv, and pip or ensurepip). */
export const PROBE = [
  'import sys, venv',
  'try:\n    import pip; p = pip.__version__\nexcept ImportError:\n    import ensurepip; p = "-"',
  'print("%d.%d.%d %s" % (sys.version_info[:3] + (p,)))',
].join('\n');

/** By who probes: the builder itself, or an app's user (any one: others' rights are all alike). */
const foundBy = new Map<string, Promise<StackPython[]>>();

/**
 * The Python 3 interpreters on this builder that can make a virtualenv with pip: python3.N on the
 * PATH and under pyenv's versions, run through `prefix` (as the user builds run as: an interpreter
 * in a directory only the builder may enter is no use to them). Looked up once per prefix.
 */
export function pythonInterpreters(prefix: readonly string[] = [], env: NodeJS.ProcessEnv = process.env): Promise<StackPython[]> {
  const key = prefix.length > 0 ? 'app user' : 'builder';
  let found = foundBy.get(key);
  if (!found) {
    found = discover(prefix, env);
    foundBy.set(key, found);
  }
  return found;
}

/** The probe's answer; pip 22.3 and later can install into another environment (--python). */
export function parseProbe(stdout: string): { version: string; pipRunsElsewhere: boolean } {
  const [version, pip] = stdout.trim().split(' ');
  const [a, b] = (pip ?? '-').split('.').map(Number);
  return { version, pipRunsElsewhere: pip !== '-' && (a > 22 || (a === 22 && (b ?? 0) >= 3)) };
}

async function discover(prefix: readonly string[], env: NodeJS.ProcessEnv): Promise<StackPython[]> {
  const pyenvRoot = env.PYENV_ROOT || join(homedir(), '.pyenv');
  const pyenvBins = (await readdir(join(pyenvRoot, 'versions')).catch(() => [] as string[])).map((v) => join(pyenvRoot, 'versions', v, 'bin'));
  // pyenv's shims pick a version by context; the real binaries are listed under versions/ instead.
  const dirs = [...(env.PATH ?? '').split(delimiter).filter((d) => d && !d.includes('shims')), ...pyenvBins];
  const candidates: string[] = [];
  for (const dir of new Set(dirs)) {
    for (const name of await readdir(dir).catch(() => [] as string[])) if (NAME.test(name)) candidates.push(join(dir, name));
  }
  const probed = await Promise.all(candidates.map(async (path) => {
    try {
      const [file, ...args] = [...prefix, path, '-c', PROBE];
      const { stdout } = await run(file, args, { timeout: 10_000 });
      return { path, ...parseProbe(stdout) };
    } catch {
      return undefined; // no venv/ensurepip (e.g. Debian without python3-venv), or not runnable
    }
  }));
  return distinctVersions(probed);
}

/** One interpreter per version, the first found. */
export function distinctVersions(found: readonly (StackPython | undefined)[]): StackPython[] {
  const byVersion = new Map<string, StackPython>();
  for (const i of found) if (i && /^3\.\d+\.\d+$/.test(i.version) && !byVersion.has(i.version)) byVersion.set(i.version, i);
  return [...byVersion.values()];
}
