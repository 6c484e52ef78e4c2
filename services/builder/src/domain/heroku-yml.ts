import { parse } from 'yaml';
import { BuildError } from './build-error.js';

const TYPE = /^[A-Za-z0-9_-]+$/;

/** A heroku.yml as the builder uses it: Dockerfiles by process type and run commands. */
export interface HerokuYml {
  /** build.docker: process type -> Dockerfile path (relative to the root). */
  readonly build: Readonly<Record<string, string>>;
  /** run: process type -> command, and the build.docker type whose image it runs. */
  readonly run: Readonly<Record<string, { command: string | undefined; image: string | undefined }>>;
  /** Warnings about sections this builder does not act on. */
  readonly notes: readonly string[];
}

const fail = (why: string) => new BuildError(`heroku.yml: ${why}`, ['Fix heroku.yml, commit and push again.']);

/** Parses heroku.yml; a malformed one fails the build saying which part is wrong. */
export function parseHerokuYml(text: string): HerokuYml {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    throw fail(`not valid YAML (${(err as Error).message.split('\n')[0]})`);
  }
  if (doc === null || doc === undefined) return { build: {}, run: {}, notes: [] };
  if (!isObject(doc)) throw fail('must be a mapping with build: and run: sections');
  const notes: string[] = [];
  for (const key of ['setup', 'release']) if (key in doc) notes.push(`heroku.yml ${key}: is not supported here and is ignored`);
  return { build: parseBuild(doc.build), run: parseRun(doc.run), notes };
}

function parseBuild(build: unknown): Record<string, string> {
  if (build === undefined || build === null) return {};
  if (!isObject(build)) throw fail('build: must be a mapping');
  const docker = build.docker;
  if (docker === undefined || docker === null) return {};
  if (!isObject(docker)) throw fail('build.docker: must map process types to Dockerfile paths, e.g. "web: Dockerfile"');
  const out: Record<string, string> = {};
  for (const [type, path] of Object.entries(docker)) {
    if (!TYPE.test(type)) throw fail(`build.docker.${type}: process types use letters, digits, "_" and "-"`);
    if (typeof path !== 'string' || path.trim() === '') throw fail(`build.docker.${type}: must be the path of a Dockerfile`);
    if (path.startsWith('/') || path.split('/').includes('..')) throw fail(`build.docker.${type}: "${path}" is outside the app`);
    out[type] = path.trim();
  }
  return out;
}

function parseRun(run: unknown): HerokuYml['run'] {
  if (run === undefined || run === null) return {};
  if (!isObject(run)) throw fail('run: must map process types to commands');
  const out: Record<string, { command: string | undefined; image: string | undefined }> = {};
  for (const [type, entry] of Object.entries(run)) {
    if (!TYPE.test(type)) throw fail(`run.${type}: process types use letters, digits, "_" and "-"`);
    if (typeof entry === 'string' && entry.trim() !== '') out[type] = { command: entry.trim(), image: undefined };
    else if (isObject(entry)) out[type] = { command: commandOf(type, entry.command), image: typeof entry.image === 'string' ? entry.image : undefined };
    else throw fail(`run.${type}: must be a command, or a mapping with command: and image:`);
  }
  return out;
}

function commandOf(type: string, command: unknown): string | undefined {
  if (command === undefined) return undefined;
  if (typeof command === 'string') return command;
  if (Array.isArray(command) && command.every((c) => typeof c === 'string')) return command.join(' ');
  throw fail(`run.${type}.command: must be a string or a list of strings`);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The image names a Dockerfile builds FROM, without stage aliases, `scratch` or unresolved ARGs. */
export function baseImagesOf(dockerfile: string): string[] {
  const stages = new Set<string>();
  const images: string[] = [];
  for (const raw of dockerfile.split(/\r?\n/)) {
    const m = /^\s*FROM\s+(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?/i.exec(raw);
    if (!m) continue;
    const [, image, alias] = m;
    if (!stages.has(image.toLowerCase()) && image !== 'scratch' && !image.includes('$')) images.push(image);
    if (alias) stages.add(alias.toLowerCase());
  }
  return [...new Set(images)];
}
