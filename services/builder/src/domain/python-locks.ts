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

interface TomlPackage { name?: unknown; version?: unknown; category?: unknown; groups?: unknown; source?: unknown; optional?: unknown; markers?: unknown }
interface PoetryPackage extends TomlPackage { files?: { file?: string; hash?: string }[]; dependencies?: Record<string, unknown>; extras?: Record<string, unknown> }

/**
 * poetry.lock's main-group packages as `name==version` lines with the sha256 of every file the
 * lock lists (`--hash`), so pip verifies what it downloads. Poetry 2 marks each package's groups
 * and poetry before 1.5 its category; poetry 1.5 to 1.8 mark neither, so the main set is what
 * pyproject.toml's main dependencies reach through the lock's [package.dependencies].
 */
export function poetryLockRequirements(text: string, pyproject?: string): string[] {
  const packages = tomlPackages('poetry.lock', text) as PoetryPackage[];
  const marked = packages.some((p) => Array.isArray(p.groups) || p.category !== undefined);
  const line = (p: PoetryPackage, marker?: string | null) => {
    const m = marker ?? (typeof p.markers === 'string' ? p.markers : undefined);
    return `${pinned('poetry.lock', p)}${m ? ` ; ${m}` : ''}${hashesOf(p.files)}`;
  };
  if (marked || pyproject === undefined) {
    return packages.filter((p) => {
      if (Array.isArray(p.groups)) return p.groups.includes('main');
      return p.category === undefined || p.category === 'main';
    }).map((p) => line(p));
  }
  const byName = new Map(packages.map((p) => [normalName(String(p.name)), p]));
  const markers = new Map<string, string | null>();
  const visit = (name: string, marker: string | null, extras: readonly string[]) => {
    const key = normalName(name);
    const seen = markers.has(key);
    if (!seen || (markers.get(key) !== null && marker === null)) markers.set(key, marker);
    const p = byName.get(key);
    if (!p || (seen && extras.length === 0)) return;
    // Optional dependencies only when an extra that names them was asked for.
    const wanted = new Set(extras.flatMap((e) => {
      const listed = p.extras?.[e];
      return Array.isArray(listed) ? listed.map((d) => normalName(/^[A-Za-z0-9][A-Za-z0-9._-]*/.exec(String(d))?.[0] ?? '')) : [];
    }));
    for (const [dep, spec] of Object.entries(p.dependencies ?? {})) {
      const optional = typeof spec === 'object' && spec !== null && !Array.isArray(spec) && (spec as { optional?: unknown }).optional === true;
      if ((!seen && !optional) || wanted.has(normalName(dep))) visit(dep, markerOf(spec), extrasOf(spec));
    }
  };
  for (const [name, extras] of poetryMainDependencies(pyproject)) visit(name, null, extras);
  return [...markers].filter(([name]) => name !== 'python').map(([name, marker]) => {
    const p = byName.get(name);
    if (!p) throw bad('poetry.lock', `dependency "${name}" of pyproject.toml is not in the lock; run "poetry lock"`);
    return line(p, marker);
  });
}

/** The main dependencies pyproject.toml lists, with the extras asked for: [project].dependencies (poetry 2) and [tool.poetry.dependencies]. */
function poetryMainDependencies(text: string): [string, string[]][] {
  let doc: { project?: { dependencies?: unknown }; tool?: { poetry?: { dependencies?: unknown } } };
  try {
    doc = parseToml(text) as typeof doc;
  } catch (err) {
    throw new BuildError(`pyproject.toml: not valid TOML (${(err as Error).message.split('\n')[0]})`, ['Fix pyproject.toml and push again.']);
  }
  const deps: [string, string[]][] = [];
  if (Array.isArray(doc.project?.dependencies)) {
    for (const d of doc.project.dependencies) {
      const m = typeof d === 'string' ? /^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[([^\]]*)\])?/.exec(d) : null;
      if (m) deps.push([m[1], (m[2] ?? '').split(',').map((e) => e.trim()).filter(Boolean)]);
    }
  }
  const poetry = doc.tool?.poetry?.dependencies;
  if (poetry && typeof poetry === 'object') for (const [name, spec] of Object.entries(poetry)) deps.push([name, extrasOf(spec)]);
  return deps.filter(([n]) => normalName(n) !== 'python');
}

/** The extras a dependency table asks for (`{ version = "...", extras = ["x"] }`). */
function extrasOf(spec: unknown): string[] {
  const extras = typeof spec === 'object' && spec !== null && !Array.isArray(spec) ? (spec as { extras?: unknown }).extras : undefined;
  return Array.isArray(extras) ? extras.filter((e): e is string => typeof e === 'string') : [];
}

/** A [package.dependencies] entry's environment marker ("markers" of its table), or null. */
function markerOf(spec: unknown): string | null {
  const table = Array.isArray(spec) ? undefined : spec as { markers?: unknown } | undefined;
  return table && typeof table === 'object' && typeof table.markers === 'string' ? table.markers : null;
}

/** PEP 503 normalised project name. */
const normalName = (name: string) => name.toLowerCase().replace(/[-_.]+/g, '-');

/** ` --hash=sha256:...` for each locked file (pip accepts any of them for the package). */
function hashesOf(files: readonly ({ hash?: unknown } | undefined)[] | undefined): string {
  return (files ?? []).map((f) => f?.hash).filter((h): h is string => typeof h === 'string' && /^sha(256|384|512):[0-9a-f]+$/.test(h))
    .map((h) => ` --hash=${h}`).join('');
}

interface UvDep { name: string; extra?: string[]; marker?: string }
interface UvFile { url?: string; hash?: string }
interface UvPackage extends TomlPackage { dependencies?: UvDep[]; 'optional-dependencies'?: Record<string, UvDep[]>; wheels?: UvFile[]; sdist?: UvFile }

/**
 * uv.lock's packages reachable from the project's own (non-dev) dependencies, as `name==version`
 * lines with the sha256 of the wheels and sdist the lock lists (`--hash`).
 */
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
    return `${pinned('uv.lock', p)}${marker ? ` ; ${marker}` : ''}${hashesOf([...(p.wheels ?? []), p.sdist])}`;
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
