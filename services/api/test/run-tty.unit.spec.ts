import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { runTty } from '../src/domain/run-tty.js';

describe('the terminal of an attached one-off dyno (POST /apps/:app/dynos)', () => {
  const fromTerminal = { TERM: 'xterm-256color', COLUMNS: '120', LINES: '40' };

  test('an attached run whose client sent its terminal size (the CLI does when its output is a terminal) gets a tty of that size', () => {
    assert.deepEqual(runTty({ attach: true, env: fromTerminal }), { columns: 120, rows: 40 });
  });

  test('no tty without attach, with force_no_tty (--no-tty), or without a size (output piped)', () => {
    assert.equal(runTty({ attach: false, env: fromTerminal }), undefined);
    assert.equal(runTty({ attach: true, force_no_tty: true, env: fromTerminal }), undefined);
    assert.equal(runTty({ attach: true, env: { TERM: 'dumb' } }), undefined);
    assert.equal(runTty({ attach: true }), undefined);
  });

  test('a size that is not a sane number of characters gets no tty', () => {
    for (const [COLUMNS, LINES] of [['0', '40'], ['120', 'lots'], ['99999', '40'], ['-1', '40']]) {
      assert.equal(runTty({ attach: true, env: { COLUMNS, LINES } }), undefined, `${COLUMNS}x${LINES}`);
    }
  });
});
