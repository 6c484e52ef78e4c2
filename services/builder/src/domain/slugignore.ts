import ignore from 'ignore';

/**
 * A matcher for .slugignore: one pattern a line, # comments, gitignore-style globs (a leading "/"
 * anchors at the root). Paths are relative to the app root, "/"-separated; directories end in "/".
 */
export function slugIgnoreMatcher(text: string): (relPath: string) => boolean {
  const ig = ignore().add(text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#')));
  return (relPath) => ig.ignores(relPath);
}
