import type { TtySize } from '@paas/contracts';

/** What POST /apps/:app/dynos says about the client's terminal. */
export interface RunRequest {
  readonly attach?: boolean;
  readonly force_no_tty?: boolean | null;
  readonly env?: Readonly<Record<string, string>>;
}

const SIZE = /^\d{1,4}$/;

/**
 * The terminal an attached one-off dyno runs in, if any. The Heroku CLI sends COLUMNS and LINES
 * only when its own output is a terminal (and --no-tty as force_no_tty), so a client piping its
 * output or input gets plain pipes: exactly what `heroku run` scripts expect.
 */
export function runTty(r: RunRequest): TtySize | undefined {
  if (!r.attach || r.force_no_tty) return undefined;
  const columns = r.env?.COLUMNS;
  const rows = r.env?.LINES;
  if (!columns || !rows || !SIZE.test(columns) || !SIZE.test(rows)) return undefined;
  const size = { columns: Number(columns), rows: Number(rows) };
  return size.columns >= 1 && size.rows >= 1 && size.columns <= 1000 && size.rows <= 1000 ? size : undefined;
}
