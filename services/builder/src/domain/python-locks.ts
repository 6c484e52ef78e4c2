import { parse as parseToml } from 'smol-toml';
import { BuildError } from './build-error.js';

/**
 * Lock files turned into pinned requirements for pip, so the locked set installs exactly without
 * pipenv, poetry or uv on the stack. Only the default/main group; dev groups stay out of the slug.
 */

const bad = (file: string, why: string) => new BuildError(`${file}: ${why}`, [`Regenerate ${file} with its tool, commit it and push again.`]);

interface PipfileEntry { version?: string; markers?: string; hashes?: string[]; git?: string; path?: string; file?: string; editable?: boolean }

/** Pipfile.lock's "default" section as requirement lines (with --hash when locked with hashes). */
export function pipfileLockRequirements(text: string): string[] {
  let lock: { default?: Record<string, PipfileEntry> };
  try {
    lock = JSON.parse(text);
  } catch (err) {
    throw bad('Pipfile.lock', `not valid JSON (${(err as Error).message})`);
  }
  if (typeof lock !== 'object' || lock === null || typeof lock.default !== 'object') throw bad('Pipfile.lock', 'has no "default" section');
  return Object.entries(lock.default).map(([name, e]) => {
    if (e.git || e.path || e.file || e.editable) throw bad('Pipfile.lock', `package "${name}" comes from a VCS or a path, which this builder does not install; publish it to an index`);
    if (typeof e.version !== 'string' || !e.version.startsWith('==')) throw bad('Pipfile.lock', `package "${name}" has no pinned version`);
    const hashes = (e.hashes ?? []).map((h) => ` --hash=${h}`).join('');
    return `${name}${e.version}${e.markers ? ` ; ${e.markers}` : ''}${hashes}`;
  });
}

interface TomlPackage { name?: unknown; version?: unknown; category?: unknown; groups?: unknown; source?: unknown; optional?: unknown }

/** poetry.lock's main-group packages as `name==version` lines. */
export function poetryLockRequirements(text: string): string[] {
  const packages = tomlPackages('poetry.lock', text);
  return packages.filter((p) => {
    if (Array.isArray(p.groups)) return p.groups.includes('main');
    return p.category === undefined || p.category === 'main';
  }).map((p) => pinned('poetry.lock', p));
}

interface UvDep { name: string; extra?: string[]; marker?: string }
interface UvPackage extends TomlPackage { dependencies?: UvDep[]; 'optional-dependencies'?: Record<string, UvDep[]> }

/** uv.lock's packages reachable from the project's own (non-dev) dependencies, as `name==version` lines. */
export function uvLockRequirements(text: string): string[] {
  const packages = tomlPackages('uv.lock', text) as UvPackage[];
  const byName = new Map(packages.map((p) => [String(p.name), p]));
  const isProject = (p: UvPackage) => typeof p.source === 'object' && p.source !== null && ('editable' in p.source || 'virtual' in p.source);
  const roots = packages.filter(isProject);
  if (roots.length === 0) throw bad('uv.lock', 'names no project package (source = { editable = "." } or { virtual = "." })');
  const markers = new Map<string, string | null>();
  const visit = (dep: UvDep) => {
    const seen = markers.has(dep.name);
    // A package reached once without a marker is always needed; otherwise keep the first marker seen.
    if (!seen || (markers.get(dep.name) !== null && !dep.marker)) markers.set(dep.name, dep.marker ?? null);
    const p = byName.get(dep.name);
    if (!p || seen) return;
    for (const d of p.dependencies ?? []) visit(d);
    for (const extra of dep.extra ?? []) for (const d of p['optional-dependencies']?.[extra] ?? []) visit(d);
  };
  for (const root of roots) for (const d of root.dependencies ?? []) visit(d);
  return [...markers].filter(([name]) => !isProject(byName.get(name) ?? {})).map(([name, marker]) => {
    const p = byName.get(name);
    if (!p) throw bad('uv.lock', `dependency "${name}" is not in the lock`);
    return `${pinned('uv.lock', p)}${marker ? ` ; ${marker}` : ''}`;
  });
}

function tomlPackages(file: string, text: string): TomlPackage[] {
  let doc: { package?: unknown };
  try {
    doc = parseToml(text) as { package?: unknown };
  } catch (err) {
    throw bad(file, `not valid TOML (${(err as Error).message.split('\n')[0]})`);
  }
  if (doc.package === undefined) return [];
  if (!Array.isArray(doc.package)) throw bad(file, 'its [[package]] entries are not a list');
  return doc.package as TomlPackage[];
}

function pinned(file: string, p: TomlPackage): string {
  if (typeof p.name !== 'string' || typeof p.version !== 'string') throw bad(file, 'a [[package]] entry has no name or version');
  const src = p.source as { type?: string; git?: string; path?: string; directory?: string } | undefined;
  if (src && (src.git || src.path || src.directory || src.type === 'git' || src.type === 'directory' || src.type === 'file')) {
    throw bad(file, `package "${p.name}" comes from a VCS or a path, which this builder does not install; publish it to an index`);
  }
  return `${p.name}==${p.version}`;
}
