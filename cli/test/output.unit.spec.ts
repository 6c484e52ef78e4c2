import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { Chalk } from 'chalk';
import { Ui } from '../src/output/ui.js';
import { formatHeader, formatPairs, formatTable, visibleWidth } from '../src/output/table.js';
import { ago, formatTime } from '../src/output/time.js';
import { colourLogLine } from '../src/log-stream.js';

describe('output formatting', () => {
  const rows = [{ v: 10, d: 'Deploy 1a2b3c4', u: 'admin@paas.local' }, { v: 9, d: 'Set GREETING config vars', u: 'me@example.com' }];
  const columns = [
    { header: 'Version', get: (r: (typeof rows)[number]) => `v${r.v}` },
    { header: 'Description', get: (r: (typeof rows)[number]) => r.d },
    { header: 'User', get: (r: (typeof rows)[number]) => r.u },
  ];

  test('a table aligns every column under its header with a rule, no trailing blanks', () => {
    assert.equal(formatTable(rows, columns), [
      ' Version  Description               User',
      ' ───────  ────────────────────────  ────────────────',
      ' v10      Deploy 1a2b3c4            admin@paas.local',
      ' v9       Set GREETING config vars  me@example.com',
    ].join('\n'));
  });

  test('colour codes in cells do not shift the columns', () => {
    const c = new Chalk({ level: 1 });
    const coloured = formatTable(rows, [{ ...columns[0], get: (r) => c.green(`v${r.v}`) }, columns[1]]);
    const plain = formatTable(rows, [columns[0], columns[1]]);
    assert.notEqual(coloured, plain);
    assert.deepEqual(coloured.split('\n').map(visibleWidth), plain.split('\n').map(visibleWidth));
    assert.match(coloured, /\u001b\[32mv10\u001b\[39m/);
  });

  test('empty and missing cells; newlines inside a cell stay on one line', () => {
    assert.equal(formatTable([{ a: null, b: 'x\ny' }], [{ header: 'A', get: (r) => r.a }, { header: 'B', get: (r) => r.b }]), ' A  B\n ─  ───\n    x y');
  });

  test('key: value pairs align their values; headers are === title', () => {
    assert.equal(formatPairs([['A', '1'], ['LONGER_KEY', 'two'], ['EMPTY', '']]), 'A:          1\nLONGER_KEY: two\nEMPTY:');
    assert.equal(formatHeader('myapp Config Vars'), '=== myapp Config Vars');
  });

  test('times as Heroku shows them, in UTC, with a rough age', () => {
    assert.equal(formatTime('2026-11-24T21:05:09.123Z'), '2026/11/24 21:05:09 +0000');
    const now = Date.parse('2026-11-24T21:05:09Z');
    assert.equal(ago('2026-11-24T21:05:00Z', now), '(~ 9s ago)');
    assert.equal(ago('2026-11-24T20:00:00Z', now), '(~ 1h ago)');
    assert.equal(ago('2026-11-20T21:05:09Z', now), '(~ 4d ago)');
  });

  test('log lines: colour only the source and timestamp, and only with colour on', () => {
    const line = '2026-11-24T21:00:00.123456+00:00 heroku[router]: at=info method=GET path="/" status=200';
    assert.equal(colourLogLine(line, new Chalk({ level: 0 })), line);
    const coloured = colourLogLine(line, new Chalk({ level: 1 }));
    assert.notEqual(coloured, line);
    assert.equal(coloured.replace(/\u001b\[\d+m/g, ''), line);
    assert.equal(colourLogLine('not a log line', new Chalk({ level: 1 })), 'not a log line');
  });
});

describe('the terminal: colour and spinners only on a TTY', () => {
  const stream = (isTTY: boolean) => {
    const s = new PassThrough() as PassThrough & { isTTY?: boolean };
    s.isTTY = isTTY;
    let text = '';
    s.on('data', (d) => (text += d));
    return { s, text: () => text };
  };

  test('not a terminal: no colour codes, the action ends as one plain line on stderr', async () => {
    const out = stream(false);
    const err = stream(false);
    const ui = new Ui(out.s, err.s, {});
    ui.log(ui.color.green('plain'));
    assert.equal(await ui.action('Scaling dynos', async () => 2, (n) => `done, now ${n}`), 2);
    await assert.rejects(ui.action('Failing', async () => { throw new Error('no'); }), /no/);
    assert.equal(out.text(), 'plain\n');
    assert.equal(err.text(), 'Scaling dynos... done, now 2\nFailing... failed\n');
  });

  test('a terminal gets colour; NO_COLOR turns it off', () => {
    assert.match(new Ui(stream(true).s, stream(true).s, {}).color.green('x'), /\u001b\[32m/);
    assert.equal(new Ui(stream(true).s, stream(true).s, { NO_COLOR: '1' }).color.green('x'), 'x');
  });
});
