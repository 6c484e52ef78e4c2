import { BuildError } from './build-error.js';

/** What detection sees of a pushed tree: the names at its root and the few small files it reads. */
export interface AppFiles {
  readonly names: ReadonlySet<string>;
  readonly procfile?: string;
  readonly packageJson?: string;
  readonly requirementsTxt?: string;
}

/** Files whose contents detection reads (the adapter loads these, nothing else). */
export const FILES_READ = { procfile: 'Procfile', packageJson: 'package.json', requirementsTxt: 'requirements.txt' } as const;

/** Files detection looks for, in the order the failure message lists them. */
export const LOOKED_FOR = ['Procfile', 'package.json', 'requirements.txt', 'setup.py', 'Pipfile', 'pyproject.toml'] as const;
const PYTHON_MARKERS = ['requirements.txt', 'setup.py', 'Pipfile', 'pyproject.toml'] as const;
const LATER = ['Dockerfile', 'heroku.yml'] as const;

export type Buildpack = 'nodejs' | 'python' | 'procfile';

/** A command the compile step runs in the build directory. */
export interface BuildCommand {
  readonly title: string;
  readonly argv: readonly string[];
  /** Defaults for the command's environment; the app's config vars override them. */
  readonly env: Readonly<Record<string, string>>;
}

/** The buildpack that takes the app and what compiling it means. */
export interface Detection {
  readonly buildpack: Buildpack;
  /** As in "-----> Node.js app detected". */
  readonly label: string;
  readonly defaultProcessTypes: Readonly<Record<string, string>>;
  readonly commands: readonly BuildCommand[];
  /** Files written into the slug after the commands ran, relative to the app dir. */
  readonly files: readonly { path: string; content: string }[];
  /** Lines shown under the "detected" header (what was or was not installed, warnings). */
  readonly notes: readonly string[];
}

/** Picks the one buildpack for a tree (Node, then Python, then a bare Procfile), or fails saying why. */
export function detect(files: AppFiles): Detection {
  if (files.packageJson !== undefined) return detectNode(files.packageJson);
  if (PYTHON_MARKERS.some((f) => files.names.has(f))) return detectPython(files);
  if (files.procfile !== undefined) {
    return { buildpack: 'procfile', label: 'Procfile', defaultProcessTypes: {}, commands: [], files: [], notes: ['Nothing to install: the Procfile commands run as they are'] };
  }
  throw notCompatible(files);
}

function notCompatible(files: AppFiles): BuildError {
  const later = LATER.filter((f) => files.names.has(f));
  const details = [
    `Looked for ${LOOKED_FOR.slice(0, -1).join(', ')} or ${LOOKED_FOR.at(-1)} at the root of the pushed tree and found none.`,
  ];
  if (later.length) details.push(`Found ${later.join(' and ')}: Docker builds are not supported by this builder yet.`);
  details.push('Add a Procfile (e.g. "web: ./start.sh") or a dependency file, commit and push again.');
  return new BuildError('App not compatible with any buildpack', details);
}

/** package.json as far as the build cares. */
interface PackageJson {
  dependencies?: Record<string, unknown>;
  scripts?: Record<string, unknown>;
}

function parsePackageJson(text: string): PackageJson {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new BuildError(`package.json is not valid JSON (${(err as Error).message}); fix it and push again`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new BuildError('package.json must hold a JSON object; fix it and push again');
  }
  return parsed as PackageJson;
}

function detectNode(text: string): Detection {
  const pkg = parsePackageJson(text);
  const deps = Object.keys(pkg.dependencies ?? {});
  const hasStart = typeof pkg.scripts?.start === 'string' && pkg.scripts.start.trim() !== '';
  const install: BuildCommand = {
    title: 'Installing dependencies (npm install --omit=dev)',
    argv: ['npm', 'install', '--omit=dev', '--no-audit', '--no-fund'],
    env: { NODE_ENV: 'production', npm_config_update_notifier: 'false', npm_config_loglevel: 'warn' },
  };
  return {
    buildpack: 'nodejs',
    label: 'Node.js',
    defaultProcessTypes: hasStart ? { web: 'npm start' } : {},
    commands: deps.length ? [install] : [],
    files: [],
    notes: deps.length ? [] : ['No dependencies in package.json: nothing to install'],
  };
}

/** True when a requirements file names anything to install (comments and blank lines aside). */
export function listsPackages(requirements: string): boolean {
  return requirements.split(/\r?\n/).some((l) => l.trim() !== '' && !l.trim().startsWith('#'));
}

/** Where pip installs, relative to the app dir; dynos find it through .profile.d/python.sh. */
export const SITE_PACKAGES = '.heroku/python/site-packages';

function detectPython(files: AppFiles): Detection {
  const defaultProcessTypes: Record<string, string> = files.names.has('manage.py') ? { web: 'python manage.py runserver 0.0.0.0:$PORT' } : {};
  const base = { buildpack: 'python' as const, label: 'Python', defaultProcessTypes };
  if (files.requirementsTxt === undefined) {
    const found = PYTHON_MARKERS.filter((f) => files.names.has(f)).join(', ');
    return { ...base, commands: [], files: [], notes: [`Warning: found ${found} but no requirements.txt; only requirements.txt is installed, so no packages were installed.`] };
  }
  if (!listsPackages(files.requirementsTxt)) {
    return { ...base, commands: [], files: [], notes: ['requirements.txt lists no packages: nothing to install'] };
  }
  const install: BuildCommand = {
    title: 'Installing requirements with pip',
    argv: ['python3', '-m', 'pip', 'install', '--target', SITE_PACKAGES, '-r', 'requirements.txt'],
    env: { PIP_NO_INPUT: '1', PIP_DISABLE_PIP_VERSION_CHECK: '1', PYTHONUNBUFFERED: '1', PYTHONDONTWRITEBYTECODE: '1' },
  };
  // Dynos run the slug from another directory with HOME pointing at it, so the path is relative to $HOME.
  const profile = `export PYTHONPATH="$HOME/${SITE_PACKAGES}\${PYTHONPATH:+:$PYTHONPATH}"\nexport PATH="$HOME/${SITE_PACKAGES}/bin:$PATH"\n`;
  return { ...base, commands: [install], files: [{ path: '.profile.d/python.sh', content: profile }], notes: [] };
}
