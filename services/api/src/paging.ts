import type { Response } from 'express';
import { paginate, parseRange } from './domain/range.js';

/** Answers a list with Heroku's paging: sets status (200/206) and range headers, returns the page. */
export function page<T extends object>(res: Response, rangeHeader: string | undefined, items: readonly T[], fields: readonly string[]): T[] {
  const p = paginate(items, parseRange(rangeHeader, fields), (item, field) => (item as Record<string, unknown>)[field] as string | number);
  res.status(p.status);
  for (const [k, v] of Object.entries(p.headers)) res.setHeader(k, v);
  return p.items;
}
