import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { formationUpdates, parseConfigAssignments, parseLineCount, parseReleaseVersion, parseScaleArgs } from '../src/args.js';
import { CliError, EXIT_USAGE } from '../src/errors.js';
import { parseEnv } from '../src/commands/run.js';
import { shellQuote } from '../src/commands/config.js';

function usage(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (err: unknown) => err instanceof CliError && err.exitCode === EXIT_USAGE && pattern.test(err.message));
}

describe('command-line arguments', () => {
  test('config:set takes KEY=value; values may hold = or be empty', () => {
    assert.deepEqual(parseConfigAssignments(['A=1', 'URL=postgres://x?a=b', 'EMPTY=']), { A: '1', URL: 'postgres://x?a=b', EMPTY: '' });
  });

  test('config:set without a value, name or any pair says how to write one', () => {
    usage(() => parseConfigAssignments([]), /at least one KEY=value/);
    usage(() => parseConfigAssignments(['GREETING']), /GREETING has no value: write KEY=value/);
    usage(() => parseConfigAssignments(['=x']), /needs a name/);
    usage(() => parseConfigAssignments(['1X=y']), /not a config var name/);
  });

  test('ps:scale takes absolute, relative and sized changes', () => {
    assert.deepEqual(parseScaleArgs(['web=2', 'worker+1', 'clock-1', 'web=3:standard-2x', 'web:performance-m']), [
      { type: 'web', quantity: 2 }, { type: 'worker', delta: 1 }, { type: 'clock', delta: -1 },
      { type: 'web', quantity: 3, size: 'standard-2x' }, { type: 'web', size: 'performance-m' },
    ]);
    usage(() => parseScaleArgs(['web']), /not a scale change: write TYPE=N/);
    usage(() => parseScaleArgs(['web=two']), /not a scale change/);
  });

  test('relative changes apply to the current formation and never go below zero', () => {
    const current = [{ type: 'web', quantity: 2 }, { type: 'worker', quantity: 0 }];
    assert.deepEqual(formationUpdates([{ type: 'web', delta: 1 }, { type: 'worker', delta: -3 }, { type: 'web', quantity: 5, size: 'basic' }], current), [
      { type: 'web', quantity: 3 }, { type: 'worker', quantity: 0 }, { type: 'web', quantity: 5, size: 'basic' },
    ]);
    usage(() => formationUpdates([{ type: 'clock', delta: 1 }], current), /no clock process type/);
  });

  test('releases are named v3 or 3; -n is 1 to 1500 lines', () => {
    assert.equal(parseReleaseVersion('v3'), 3);
    assert.equal(parseReleaseVersion('12'), 12);
    usage(() => parseReleaseVersion('latest'), /name it like v3/);
    assert.equal(parseLineCount('1500'), 1500);
    usage(() => parseLineCount('0'), /from 1 to 1500/);
    usage(() => parseLineCount('1501'), /from 1 to 1500/);
    usage(() => parseLineCount('ten'), /from 1 to 1500/);
  });

  test('run --env pairs; config --shell quoting', () => {
    assert.deepEqual(parseEnv('A=1;B=x=y; C=3'), { A: '1', B: 'x=y', C: '3' });
    usage(() => parseEnv('A'), /KEY=value pairs/);
    assert.equal(shellQuote('plain-value_1.0'), 'plain-value_1.0');
    assert.equal(shellQuote("it's here"), `'it'\\''s here'`);
    assert.equal(shellQuote(''), "''");
  });
});
