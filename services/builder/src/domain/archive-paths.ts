import { posix } from 'node:path';

/** Why an entry may not be unpacked, or undefined when it stays inside the app dir. */
export function escapeOf(path: string, type: string, linkpath: string | undefined): string | undefined {
  const parts = path.replaceAll('\\', '/').split('/');
  if (path.startsWith('/') || parts.includes('..')) return `"${path}" points outside the app directory`;
  if (type !== 'SymbolicLink' && type !== 'Link') return undefined;
  const target = (linkpath ?? '').replaceAll('\\', '/');
  if (target.startsWith('/')) return `link "${path}" points to the absolute path "${target}"`;
  // A symlink resolves from its own directory, a hard link from the archive root.
  const resolved = posix.normalize(type === 'SymbolicLink' ? posix.join(posix.dirname(path), target) : target);
  if (resolved === '..' || resolved.startsWith('../')) return `link "${path}" points outside the app directory ("${target}")`;
  return undefined;
}
