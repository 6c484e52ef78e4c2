import type { TtySize } from '@paas/contracts';

/** Quotes one word for a POSIX shell. */
export function shellQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * The program and arguments that run `argv` in a pseudo-terminal of `size` without native modules:
 * util-linux `script` (package bsdutils) gives the command a terminal, `-e` passes its exit status
 * on, `-q` keeps script's own banner out of the output, /dev/null keeps no typescript file.
 */
export function ptyCommand(argv: readonly string[], size: TtySize): { file: string; args: string[] } {
  const inner = `stty cols ${size.columns} rows ${size.rows} 2>/dev/null; exec ${argv.map(shellQuote).join(' ')}`;
  return { file: 'script', args: ['-q', '-e', '-c', inner, '/dev/null'] };
}
