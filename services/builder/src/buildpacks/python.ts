import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readTreeFile } from '../adapters/app-files.js';
import { buildEnv } from '../domain/build-env.js';
import { BuildError } from '../domain/build-error.js';
import { pipfileLockRequirements, poetryLockRequirements, uvLockRequirements } from '../domain/python-locks.js';
import { pickInterpreter, requestedPython, type PythonInstaller } from '../domain/python-plan.js';
import type { BuildContext, CompileResult } from './context.js';

/** Where the virtualenv lives, relative to the app dir ($HOME on a dyno). */
export const VENV = '.heroku/python';

/** Pinned requirements made from a lock file, in the build's scratch dir. */
const LOCKED = 'requirements-locked.txt';
const PIP_ENV = { PIP_NO_INPUT: '1', PIP_DISABLE_PIP_VERSION_CHECK: '1', PYTHONUNBUFFERED: '1', PYTHONDONTWRITEBYTECODE: '1' };

/**
 * The Python buildpack: picks the interpreter, makes a virtualenv inside the slug and installs the
 * app's dependencies into it with pip (lock files turned into pinned requirements); the
 * virtualenv is reused from the cache when interpreter and dependency files are unchanged.
 */
export async function compilePython(ctx: BuildContext, installer: PythonInstaller, django: boolean): Promise<CompileResult> {
  const stack = await ctx.sandbox.pythons();
  const pipfileLock = installer === 'Pipfile.lock' ? await readTreeFile(ctx.dir, 'Pipfile.lock') : undefined;
  const { interpreter: picked, notes } = pickInterpreter(requestedPython({ ...ctx.files, pipfileLock }), stack);
  const interpreter = stack.find((i) => i.path === picked.path)!;
  ctx.out.detail(...notes);
  const venv = join(ctx.dir, VENV);
  // Relative to the app dir, where every command runs, so failures read "<.heroku/python/bin/python -m pip ...>".
  const python = `${VENV}/bin/python`;
  const pipArgs = await pipArgsFor(ctx, installer);
  const key = await cacheKey(ctx, interpreter.path, installer, pipArgs);
  const env = await pipEnv(ctx, ctx.sandbox.at(venv));
  // pip from the stack's interpreter installs into a virtualenv made without pip: no ensurepip, seconds faster.
  const pip = interpreter.pipRunsElsewhere ? [interpreter.path, '-m', 'pip', '--python', python] : [python, '-m', 'pip'];

  if (await ctx.cache.restore('python', key, venv)) {
    ctx.out.header('Restoring cache');
    ctx.out.detail(`Reusing the virtualenv of the last build (Python ${interpreter.version}, ${installer} unchanged)`);
    if (installer === 'setup.py') await install(ctx, pip, pipArgs, env);
  } else {
    ctx.out.header(`Installing Python ${interpreter.version}`);
    await ctx.run([interpreter.path, '-m', 'venv', ...(interpreter.pipRunsElsewhere ? ['--without-pip'] : []), VENV], env);
    if (pipArgs) await install(ctx, pip, pipArgs, env);
    else ctx.out.detail(`${installer} lists no packages: nothing to install`);
    await makeRelocatable(ctx, venv);
    await ctx.cache.save('python', key, venv);
  }
  if (django) await collectStatic(ctx, python, env);
  await writeProfile(ctx, venv);
  return {};
}

async function install(ctx: BuildContext, pip: string[], pipArgs: string[] | undefined, env: Record<string, string>): Promise<void> {
  if (!pipArgs) return;
  ctx.out.header('Installing requirements with pip');
  await ctx.run([...pip, 'install', ...pipArgs], env);
}

/** pip's arguments for the installer, or undefined when there is nothing to install. */
async function pipArgsFor(ctx: BuildContext, installer: PythonInstaller): Promise<string[] | undefined> {
  if (installer === 'setup.py') return ['.'];
  if (installer === 'requirements.txt') {
    return listsPackages(ctx.files.requirementsTxt ?? '') ? ['-r', 'requirements.txt'] : undefined;
  }
  const text = await readTreeFile(ctx.dir, installer);
  const pyproject = installer === 'poetry.lock' ? await readTreeFile(ctx.dir, 'pyproject.toml').catch(() => undefined) : undefined;
  const lines = installer === 'Pipfile.lock' ? pipfileLockRequirements(text)
    : installer === 'poetry.lock' ? poetryLockRequirements(text, pyproject) : uvLockRequirements(text);
  if (lines.length === 0) return undefined;
  ctx.out.detail(`Installing the ${lines.length} packages locked in ${installer}`);
  const file = join(ctx.scratch, LOCKED);
  await writeFile(file, lines.join('\n') + '\n');
  // Every locked package with its hashes: pip refuses any download whose sha256 differs (and any
  // package the lock does not list). A lock without hashes installs the pinned versions unchecked.
  const hashed = lines.filter((l) => l.includes(' --hash=')).length;
  if (hashed === lines.length) ctx.out.detail(`Checking each download against the sha256 hashes in ${installer}`);
  else if (hashed > 0) ctx.out.detail(`${lines.length - hashed} of the packages in ${installer} have no hashes: pip will refuse to install them unchecked`);
  else ctx.out.detail(`${installer} carries no hashes: installing the pinned versions without checking them`);
  return [...(hashed === lines.length ? ['--require-hashes'] : []), '-r', ctx.sandbox.at(file)];
}

/**
 * The dyno's .profile.d script: the virtualenv first on the PATH. The virtualenv's interpreter is
 * a link to the stack's python by absolute path, which a slug must not hold (unpacking refuses
 * absolute link targets), so the link is taken out of the slug and the script makes it again
 * wherever the slug was unpacked.
 */
async function writeProfile(ctx: BuildContext, venv: string): Promise<void> {
  const bin = join(venv, 'bin');
  const lines: string[] = [];
  const absolute = (await ctx.tree.links(bin)).filter((l) => l.target.startsWith('/'));
  for (const { name, target } of absolute) lines.push(`[ -e "$HOME/${VENV}/bin/${name}" ] || ln -s '${target}' "$HOME/${VENV}/bin/${name}"`);
  await ctx.tree.remove(absolute.map((l) => join(bin, l.name)));
  lines.push(`export PATH="$HOME/${VENV}/bin:$PATH"`, 'export PYTHONUNBUFFERED=true', '');
  await ctx.tree.write(join(ctx.dir, '.profile.d', 'python.sh'), lines.join('\n'), '755');
}

/** True when a requirements file names anything to install (comments and blank lines aside). */
export function listsPackages(requirements: string): boolean {
  return requirements.split(/\r?\n/).some((l) => l.trim() !== '' && !l.trim().startsWith('#'));
}

/** The key of the cached virtualenv: the interpreter and the (locked) requirements it was made from. */
async function cacheKey(ctx: BuildContext, interpreter: string, installer: PythonInstaller, pipArgs: string[] | undefined): Promise<string> {
  const h = createHash('sha256').update(`${interpreter}\0${installer}\0`);
  const locked = pipArgs?.includes('-r') && installer !== 'requirements.txt';
  h.update(await (locked ? readTreeFile(ctx.scratch, LOCKED) : readTreeFile(ctx.dir, installer)).catch(() => ''));
  return h.digest('hex');
}

/** The environment of pip: the app's config vars (PIP_INDEX_URL and friends) over the builder's, with the app's pip cache. */
async function pipEnv(ctx: BuildContext, venv: string): Promise<Record<string, string>> {
  const cache = await ctx.cache.toolDir('pip');
  const base = buildEnv(ctx.sandbox.env, { ...PIP_ENV, PIP_CACHE_DIR: cache }, ctx.config);
  return { ...base, PATH: ctx.sandbox.path(`${venv}/bin`), VIRTUAL_ENV: venv };
}

/**
 * Points the virtualenv's scripts at `python3` on the PATH instead of this build dir, so the slug
 * runs from wherever a dyno unpacks it (.profile.d puts the virtualenv's bin first on the PATH).
 */
async function makeRelocatable(ctx: BuildContext, venv: string): Promise<void> {
  const builtPython = `${escapeRegExp(`${ctx.sandbox.at(venv)}/bin`)}/python[0-9.]*`;
  await ctx.tree.rewriteShebangs(join(venv, 'bin'), builtPython, 'python3', '/usr/bin/env python3');
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Django: collectstatic when STATIC_ROOT is set, unless DISABLE_COLLECTSTATIC=1, as Heroku does. */
async function collectStatic(ctx: BuildContext, python: string, env: Record<string, string>): Promise<void> {
  if (ctx.config.DISABLE_COLLECTSTATIC === '1') {
    ctx.out.detail('DISABLE_COLLECTSTATIC=1: skipping collectstatic');
    return;
  }
  const probe: string[] = [];
  const hasDjango = await ctx.run([python, '-c', 'import django'], env, () => undefined).then(() => true, () => false);
  if (!hasDjango) {
    ctx.out.detail('manage.py found but Django is not installed: skipping collectstatic');
    return;
  }
  const snippet = 'from django.conf import settings; print("STATIC_ROOT=" + str(settings.STATIC_ROOT or ""))';
  try {
    await ctx.run([python, 'manage.py', 'shell', '-c', snippet], env, (l) => probe.push(l));
  } catch (err) {
    throw new BuildError('Reading the Django settings failed ("python manage.py shell")', [...probe.slice(-10), (err as Error).message]);
  }
  const root = probe.map((l) => /^STATIC_ROOT=(.*)$/.exec(l)?.[1]).find((v) => v !== undefined) ?? '';
  if (root === '') {
    ctx.out.detail('STATIC_ROOT is not set in the Django settings: skipping collectstatic');
    return;
  }
  ctx.out.header('$ python manage.py collectstatic --noinput');
  await ctx.run([python, 'manage.py', 'collectstatic', '--noinput'], env);
}
