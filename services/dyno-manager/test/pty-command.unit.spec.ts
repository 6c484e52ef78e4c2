import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { ptyCommand, shellQuote } from '../src/adapters/runtime/pty-command.js';

describe('a command in a pseudo-terminal (process runtime)', () => {
  test('every word reaches the shell as it was, quotes and $ included', () => {
    const words = ['plain', "it's", '$HOME `x` "q"', ''];
    const echoed = execFileSync('/bin/sh', ['-c', `printf '%s|' ${words.map(shellQuote).join(' ')}`]).toString();
    assert.equal(echoed, words.map((w) => `${w}|`).join(''));
  });

  test('script runs the command with the terminal size set first, passing its exit status on', () => {
    const { file, args } = ptyCommand(['/bin/sh', '-c', 'echo "$1"', 'run.1', "it's"], { columns: 100, rows: 30 });
    assert.equal(file, 'script');
    assert.deepEqual(args.slice(0, 3), ['-q', '-e', '-c']);
    assert.equal(args[4], '/dev/null');
    assert.equal(args[3], `stty cols 100 rows 30 2>/dev/null; exec '/bin/sh' '-c' 'echo "$1"' 'run.1' 'it'\\''s'`);
  });
});
