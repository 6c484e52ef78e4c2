import { BuildError } from './build-error.js';

/** How a Python app's dependencies are described, in the order the builder prefers them. */
export type PythonInstaller = 'requirements.txt' | 'Pipfile.lock' | 'poetry.lock' | 'uv.lock' | 'setup.py';

/** The installer for a tree, or undefined when it is not a Python app. */
export function pythonInstaller(names: ReadonlySet<string>): PythonInstaller | undefined {
  if (names.has('requirements.txt')) return 'requirements.txt';
  if (names.has('Pipfile.lock')) return 'Pipfile.lock';
  if (names.has('Pipfile')) {
    throw new BuildError('Pipfile found without Pipfile.lock', ['Run "pipenv lock" and commit Pipfile.lock: the build installs exactly the locked packages.']);
  }
  if (names.has('pyproject.toml') && names.has('poetry.lock')) return 'poetry.lock';
  if (names.has('pyproject.toml') && names.has('uv.lock')) return 'uv.lock';
  if (names.has('setup.py')) return 'setup.py';
  return undefined;
}

/** A Python interpreter on the stack. */
export interface Interpreter {
  readonly version: string;
  readonly path: string;
}

/** The Python version an app asks for and where it said so. */
export interface PythonRequest {
  readonly version: string;
  readonly source: '.python-version' | 'runtime.txt' | 'Pipfile.lock';
}

const VERSION = /^3\.\d+(\.\d+)?$/;

/**
 * The version from .python-version ("3.12" or "3.12.1"), else runtime.txt ("python-3.11.2"), else
 * Pipfile.lock's _meta.requires (python_full_version, then python_version), else undefined.
 */
export function requestedPython(files: { pythonVersion?: string; runtimeTxt?: string; pipfileLock?: string }): PythonRequest | undefined {
  if (files.pythonVersion !== undefined) {
    const line = files.pythonVersion.split(/\r?\n/).map((l) => l.trim()).find((l) => l !== '' && !l.startsWith('#')) ?? '';
    const version = line.replace(/^python-?/, '');
    if (!VERSION.test(version)) {
      throw new BuildError(`.python-version says "${line.slice(0, 40)}", which is not a Python 3 version`, ['Write a version such as 3.12 or 3.12.1 in .python-version and push again.']);
    }
    return { version, source: '.python-version' };
  }
  if (files.runtimeTxt !== undefined) {
    const line = files.runtimeTxt.trim();
    const m = /^python-(3\.\d+(?:\.\d+)?)$/.exec(line);
    if (!m) throw new BuildError(`runtime.txt says "${line.slice(0, 40)}"; expected a version such as python-3.12.1`, ['Fix runtime.txt (or use .python-version) and push again.']);
    return { version: m[1], source: 'runtime.txt' };
  }
  if (files.pipfileLock !== undefined) {
    let requires: { python_full_version?: unknown; python_version?: unknown } | undefined;
    try {
      requires = (JSON.parse(files.pipfileLock) as { _meta?: { requires?: typeof requires } })?._meta?.requires;
    } catch {
      return undefined; // the install step says what is wrong with the lock
    }
    const version = [requires?.python_full_version, requires?.python_version].find((v): v is string => typeof v === 'string' && VERSION.test(v));
    if (version) return { version, source: 'Pipfile.lock' };
  }
  return undefined;
}

const minorOf = (v: string) => v.split('.').slice(0, 2).join('.');
const byVersionDesc = (a: Interpreter, b: Interpreter) => compareVersions(b.version, a.version);

function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 3; i++) if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pa[i] ?? 0) - (pb[i] ?? 0);
  return 0;
}

/**
 * The interpreter for a request: the exact version when asked for a full one and present, else the
 * newest of the same 3.x series (with a note); without a request, the newest on the stack.
 */
export function pickInterpreter(request: PythonRequest | undefined, available: readonly Interpreter[]): { interpreter: Interpreter; notes: string[] } {
  const sorted = [...available].sort(byVersionDesc);
  const list = sorted.map((i) => i.version).join(', ') || 'none';
  if (sorted.length === 0) throw new BuildError('No Python 3 interpreter with venv is installed on this stack', ['Install python3 and python3-venv on the builder.']);
  if (!request) return { interpreter: sorted[0], notes: [`No Python version was requested (.python-version or runtime.txt): using the newest on the stack, ${sorted[0].version}`] };
  const exact = sorted.find((i) => i.version === request.version);
  if (exact) return { interpreter: exact, notes: [`Using Python ${exact.version} (from ${request.source})`] };
  const sameSeries = sorted.find((i) => minorOf(i.version) === minorOf(request.version));
  if (!sameSeries) {
    throw new BuildError(`Python ${request.version} (from ${request.source}) is not available on this stack`, [
      `Versions available: ${list}.`, `Change ${request.source} to one of them (e.g. ${minorOf(sorted[0].version)}) and push again.`,
    ]);
  }
  const notes = request.version.split('.').length === 3
    ? [`Python ${request.version} is not on this stack: using ${sameSeries.version} of the same series (from ${request.source})`]
    : [`Using Python ${sameSeries.version} (from ${request.source})`];
  return { interpreter: sameSeries, notes };
}
