import semver from 'semver';
import { BuildError } from './build-error.js';

/** package.json as far as the build cares. */
export interface PackageJson {
  dependencies?: Record<string, unknown>;
  devDependencies?: Record<string, unknown>;
  scripts?: Record<string, unknown>;
  engines?: { node?: unknown };
  packageManager?: unknown;
}

export function parsePackageJson(text: string): PackageJson {
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

/** Fails when engines.node asks for a Node the stack does not have; returns the line to show. */
export function checkNodeEngine(pkg: PackageJson, stackVersion: string): string {
  const range = pkg.engines?.node;
  if (range === undefined) return `engines.node (package.json): unspecified; using the stack's Node ${stackVersion}`;
  if (typeof range !== 'string' || semver.validRange(range) === null) {
    throw new BuildError(`engines.node in package.json is "${String(range)}", which is not a version range`, ['Use a range such as "20.x" or ">=18" and push again.']);
  }
  if (!semver.satisfies(stackVersion, range)) {
    throw new BuildError(`engines.node in package.json asks for "${range}", which this stack cannot satisfy`, [
      `Versions available: ${stackVersion}.`, `Change engines.node to a range that includes ${stackVersion} (e.g. "${semver.major(stackVersion)}.x") and push again.`,
    ]);
  }
  return `engines.node (package.json): ${range}; using the stack's Node ${stackVersion}`;
}

export type PackageManager = 'npm' | 'yarn' | 'pnpm';

/** What an install looks like for a tree: the tool, and whether a lock file pins it. */
export function packageManagerOf(names: ReadonlySet<string>): { tool: PackageManager; lock: string | undefined } {
  if (names.has('pnpm-lock.yaml')) return { tool: 'pnpm', lock: 'pnpm-lock.yaml' };
  if (names.has('yarn.lock')) return { tool: 'yarn', lock: 'yarn.lock' };
  if (names.has('package-lock.json')) return { tool: 'npm', lock: 'package-lock.json' };
  if (names.has('npm-shrinkwrap.json')) return { tool: 'npm', lock: 'npm-shrinkwrap.json' };
  return { tool: 'npm', lock: undefined };
}

/** The command that installs dependencies (devDependencies too, unless NPM_CONFIG_PRODUCTION=true). */
export function installCommand(tool: PackageManager, lock: string | undefined, productionOnly: boolean, yarnBerry: boolean): string[] {
  const npmFlags = ['--no-audit', '--no-fund', '--prefer-offline', productionOnly ? '--omit=dev' : '--include=dev'];
  switch (tool) {
    case 'npm': return lock ? ['npm', 'ci', ...npmFlags] : ['npm', 'install', ...npmFlags];
    case 'yarn': return yarnBerry ? ['corepack', 'yarn', 'install', '--immutable'] : ['corepack', 'yarn', 'install', '--frozen-lockfile', ...(productionOnly ? ['--production'] : ['--production=false'])];
    case 'pnpm': return ['corepack', 'pnpm', 'install', '--frozen-lockfile', ...(productionOnly ? ['--prod'] : [])];
  }
}

/** The script the build runs: heroku-postbuild instead of build when both exist. */
export function buildScriptOf(pkg: PackageJson): string | undefined {
  const has = (name: string) => typeof pkg.scripts?.[name] === 'string';
  if (has('heroku-postbuild')) return 'heroku-postbuild';
  if (has('build')) return 'build';
  return undefined;
}

export function runScriptCommand(tool: PackageManager, script: string): string[] {
  return tool === 'npm' ? ['npm', 'run', script] : ['corepack', tool, 'run', script];
}

/**
 * Whether devDependencies are pruned after the build, as Heroku does: yes, unless
 * NPM_CONFIG_PRODUCTION=false (or YARN_PRODUCTION=false) or NODE_ENV is set to something else than production.
 */
export function shouldPrune(pkg: PackageJson, config: Readonly<Record<string, string>>): boolean {
  if (Object.keys(pkg.devDependencies ?? {}).length === 0) return false;
  if (config.NPM_CONFIG_PRODUCTION === 'false' || config.YARN_PRODUCTION === 'false') return false;
  return config.NODE_ENV === undefined || config.NODE_ENV === 'production';
}

export function pruneCommand(tool: PackageManager, yarnBerry: boolean): string[] | undefined {
  switch (tool) {
    case 'npm': return ['npm', 'prune', '--omit=dev', '--no-audit', '--no-fund'];
    case 'pnpm': return ['corepack', 'pnpm', 'prune', '--prod'];
    case 'yarn': return yarnBerry ? undefined : ['corepack', 'yarn', 'install', '--frozen-lockfile', '--production', '--ignore-scripts', '--prefer-offline'];
  }
}
