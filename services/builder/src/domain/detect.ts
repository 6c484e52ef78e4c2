import { BuildError } from './build-error.js';
import { parseHerokuYml, type HerokuYml } from './heroku-yml.js';
import { parsePackageJson, type PackageJson } from './node-plan.js';
import { pythonInstaller, type PythonInstaller } from './python-plan.js';

/** What detection sees of a pushed tree: the names at its root and the few small files it reads. */
export interface AppFiles {
  readonly names: ReadonlySet<string>;
  readonly procfile?: string;
  readonly packageJson?: string;
  readonly requirementsTxt?: string;
  readonly herokuYml?: string;
  readonly appJson?: string;
  readonly pythonVersion?: string;
  readonly runtimeTxt?: string;
}

/** Files whose contents detection reads (the adapter loads these, nothing else). */
export const FILES_READ = {
  procfile: 'Procfile', packageJson: 'package.json', requirementsTxt: 'requirements.txt', herokuYml: 'heroku.yml',
  appJson: 'app.json', pythonVersion: '.python-version', runtimeTxt: 'runtime.txt',
} as const;

/** Files detection looks for, in the order the failure message lists them. */
export const LOOKED_FOR = [
  'heroku.yml', 'package.json', 'requirements.txt', 'setup.py', 'Pipfile', 'pyproject.toml with poetry.lock or uv.lock', 'Dockerfile', 'Procfile',
] as const;

interface Common {
  /** As in "-----> Node.js app detected". */
  readonly label: string;
  readonly defaultProcessTypes: Readonly<Record<string, string>>;
  /** Lines shown under the "detected" header. */
  readonly notes: readonly string[];
}

/** The buildpack that takes the app, with what it needs to know to compile it. */
export type Detection =
  | Common & { readonly buildpack: 'nodejs'; readonly pkg: PackageJson }
  | Common & { readonly buildpack: 'python'; readonly installer: PythonInstaller; readonly django: boolean }
  | Common & { readonly buildpack: 'docker'; readonly herokuYml: HerokuYml }
  | Common & { readonly buildpack: 'procfile' };

export type Buildpack = Detection['buildpack'];

/**
 * Picks the one buildpack for a tree: heroku.yml with build.docker, then Node, then Python, then a
 * root Dockerfile, then a bare Procfile; or fails saying what it looked for.
 */
export function detect(files: AppFiles): Detection {
  const yml = files.herokuYml !== undefined ? parseHerokuYml(files.herokuYml) : undefined;
  if (yml && Object.keys(yml.build).length) {
    return { buildpack: 'docker', label: 'Docker (heroku.yml)', defaultProcessTypes: {}, notes: yml.notes, herokuYml: yml };
  }
  if (files.packageJson !== undefined) {
    const pkg = parsePackageJson(files.packageJson);
    const hasStart = typeof pkg.scripts?.start === 'string' && pkg.scripts.start.trim() !== '';
    return { buildpack: 'nodejs', label: 'Node.js', defaultProcessTypes: hasStart ? { web: 'npm start' } : {}, notes: [], pkg };
  }
  const installer = pythonInstaller(files.names);
  if (installer) {
    const django = files.names.has('manage.py');
    return {
      buildpack: 'python', label: 'Python', installer, django, notes: [],
      defaultProcessTypes: django ? { web: 'python manage.py runserver 0.0.0.0:$PORT' } : {},
    };
  }
  if (files.names.has('Dockerfile')) {
    const dockerfileOnly: HerokuYml = { build: { web: 'Dockerfile' }, run: {}, notes: [] };
    return { buildpack: 'docker', label: 'Docker (Dockerfile)', defaultProcessTypes: {}, notes: [], herokuYml: dockerfileOnly };
  }
  if (files.procfile !== undefined) {
    return { buildpack: 'procfile', label: 'Procfile', defaultProcessTypes: {}, notes: ['Nothing to install: the Procfile commands run as they are'] };
  }
  throw new BuildError('App not compatible with any buildpack', [
    `Looked for ${LOOKED_FOR.join(', ')} at the root of the pushed tree and found none.`,
    'Add a dependency file (requirements.txt, package.json), a heroku.yml or a Procfile (e.g. "web: ./start.sh"), commit and push again.',
  ]);
}
