import { stripVTControlCharacters } from 'node:util';

/** One column of a table: its header and how a row shows in it. */
export interface Column<T> {
  header: string;
  get: (row: T) => string | number | boolean | null | undefined;
}

/** How wide a cell looks on a terminal (colour codes take no room). */
export function visibleWidth(text: string): number {
  return [...stripVTControlCharacters(text)].length;
}

function pad(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - visibleWidth(text)));
}

/**
 * Rows as Heroku's aligned table: a header line, a rule of `─` under each header, then one line
 * per row, columns two spaces apart, no trailing blanks. Colour in cells does not break alignment.
 */
export function formatTable<T>(rows: readonly T[], columns: readonly Column<T>[]): string {
  const cells = rows.map((r) => columns.map((c) => cellText(c.get(r))));
  const widths = columns.map((c, i) => Math.max(visibleWidth(c.header), ...cells.map((row) => visibleWidth(row[i]))));
  const line = (values: string[]) => ' ' + values.map((v, i) => pad(v, widths[i])).join('  ').trimEnd();
  return [line(columns.map((c) => c.header)), line(widths.map((w) => '─'.repeat(w))), ...cells.map(line)].join('\n');
}

/** `key: value` lines with the values aligned, as `heroku config` and `apps:info` print them. */
export function formatPairs(pairs: ReadonlyArray<readonly [string, string]>): string {
  const width = Math.max(0, ...pairs.map(([k]) => visibleWidth(k) + 1));
  return pairs.map(([k, v]) => `${pad(`${k}:`, width)} ${v}`.trimEnd()).join('\n');
}

/** Heroku's section header: `=== title`. */
export function formatHeader(title: string): string {
  return `=== ${title}`;
}

function cellText(v: string | number | boolean | null | undefined): string {
  if (v === null || v === undefined) return '';
  return String(v).replace(/\r?\n/g, ' ');
}
