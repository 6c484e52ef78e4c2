import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildEnv } from '../domain/build-env.js';
import {
  buildScriptOf, checkNodeEngine, installCommand, packageManagerOf, pruneCommand, runScriptCommand, shouldPrune, type PackageJson, type PackageManager,
} from '../domain/node-plan.js';
import type { BuildContext, CompileResult } from './context.js';

/**
 * The Node.js buildpack: checks engines.node against the stack's Node, installs with npm (ci when
 * locked), yarn or pnpm (through corepack), runs heroku-postbuild or build, then prunes
 * devDependencies. node_modules is reused from the cache while package.json's dependencies and
 * the lock file are unchanged.
 */
export async function compileNode(ctx: BuildContext, pkg: PackageJson): Promise<CompileResult> {
  const nodeVersion = await ctx.sandbox.nodeVersion();
  ctx.out.detail(checkNodeEngine(pkg, nodeVersion));
  const { tool, lock } = packageManagerOf(ctx.files.names);
  const yarnBerry = tool === 'yarn' && ctx.files.names.has('.yarnrc.yml');
  const productionOnly = ctx.config.NPM_CONFIG_PRODUCTION === 'true';
  const env = await nodeEnv(ctx, tool);
  const hasDeps = Object.keys({ ...pkg.dependencies, ...pkg.devDependencies }).length > 0;

  ctx.out.header('Installing dependencies');
  if (!hasDeps) {
    ctx.out.detail('No dependencies in package.json: nothing to install');
  } else {
    const key = await cacheKey(ctx, pkg, tool, lock, productionOnly, nodeVersion);
    const modules = join(ctx.dir, 'node_modules');
    if (await ctx.cache.restore('node_modules', key, modules)) {
      ctx.out.detail(`Restored node_modules from the cache (package.json dependencies${lock ? ` and ${lock}` : ''} unchanged)`);
    } else {
      ctx.out.detail(`Installing node modules${lock ? ` (${lock})` : ''}`);
      await ctx.run(installCommand(tool, lock, productionOnly, yarnBerry), env);
      await ctx.cache.save('node_modules', key, modules);
    }
  }

  const script = buildScriptOf(pkg);
  ctx.out.header('Build');
  if (script) {
    ctx.out.detail(`Running ${script}`);
    await ctx.run(runScriptCommand(tool, script), env);
  } else {
    ctx.out.detail('No build script in package.json: nothing to build');
  }

  if (hasDeps && shouldPrune(pkg, ctx.config) && !productionOnly) {
    const prune = pruneCommand(tool, yarnBerry);
    ctx.out.header('Pruning devDependencies');
    if (prune) await ctx.run(prune, env);
    else ctx.out.detail('Yarn 2+ keeps devDependencies (set up a production install with "yarn workspaces focus --production")');
  }
  return {};
}

/** Build-time environment: NODE_ENV production unless set, the app's caches for npm, yarn, pnpm and corepack. */
async function nodeEnv(ctx: BuildContext, manager: PackageManager): Promise<Record<string, string>> {
  const tool = (name: string) => ctx.cache.toolDir(name);
  const defaults = {
    NODE_ENV: 'production',
    npm_config_cache: await tool('npm'),
    npm_config_update_notifier: 'false',
    npm_config_loglevel: 'warn',
    YARN_CACHE_FOLDER: await tool('yarn'),
    // pnpm's store setting; npm warns about it as an unknown setting, so only pnpm builds get it.
    ...(manager === 'pnpm' ? { npm_config_store_dir: await tool('pnpm-store') } : {}),
    COREPACK_HOME: await tool('corepack'),
    COREPACK_ENABLE_DOWNLOAD_PROMPT: '0',
    CI: 'true',
  };
  const env = buildEnv(ctx.sandbox.env, defaults, ctx.config);
  return { ...env, PATH: ctx.sandbox.path(ctx.sandbox.at(join(ctx.dir, 'node_modules', '.bin'))) };
}

async function cacheKey(ctx: BuildContext, pkg: PackageJson, tool: string, lock: string | undefined, productionOnly: boolean, nodeVersion: string): Promise<string> {
  const p = pkg as Record<string, unknown>;
  const deps = ['dependencies', 'devDependencies', 'optionalDependencies', 'overrides', 'resolutions', 'packageManager'].map((k) => JSON.stringify(p[k] ?? null));
  const h = createHash('sha256').update([nodeVersion, tool, String(productionOnly), ...deps].join('\0'));
  if (lock) h.update(await readFile(join(ctx.dir, lock)));
  return h.digest('hex');
}
