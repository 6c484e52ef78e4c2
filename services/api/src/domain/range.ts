/**
 * Heroku's list paging: a `Range: <field> [<first>|]<after>..[<last>]; max=<n>, order=<asc|desc>`
 * request header, answered with 206 and `Next-Range: <field> ]<last sent>..; max=<n>, order=<o>`
 * while more remain, 200 on the last page. A range that cannot be read falls back to the defaults.
 */
export interface PageRequest {
  field: string;
  /** Start value and whether it is excluded (`]`), as Next-Range sends it. */
  start: { value: string; exclusive: boolean } | null;
  end: string | null;
  max: number;
  order: 'asc' | 'desc';
}

export interface Page<T> {
  items: T[];
  status: 200 | 206;
  headers: Record<string, string>;
}

export const DEFAULT_MAX = 200;
export const LIMIT_MAX = 1000;

/** Reads a Range header against the fields a list can be sorted by; the first field is the default. */
export function parseRange(header: string | undefined, fields: readonly string[]): PageRequest {
  const fallback: PageRequest = { field: fields[0], start: null, end: null, max: DEFAULT_MAX, order: 'asc' };
  if (!header) return fallback;
  const m = /^\s*([a-z_]+)\s*([^;]*?)\s*(?:;(.*))?$/i.exec(header);
  if (!m || !fields.includes(m[1])) return fallback;
  const req: PageRequest = { ...fallback, field: m[1] };
  const bounds = /^(\]?)([^.]*)\.\.(.*)$/.exec(m[2]);
  if (bounds) {
    if (bounds[2] !== '') req.start = { value: bounds[2], exclusive: bounds[1] === ']' };
    if (bounds[3] !== '') req.end = bounds[3];
  }
  for (const opt of (m[3] ?? '').split(/[,;]/)) {
    const [k, v] = opt.split('=').map((s) => s?.trim());
    if (k === 'max' && /^\d+$/.test(v ?? '')) req.max = Math.min(Math.max(Number(v), 1), LIMIT_MAX);
    if (k === 'order' && (v === 'asc' || v === 'desc')) req.order = v;
  }
  return req;
}

/** Cuts one page out of a whole list, with the status and headers that describe it. */
export function paginate<T>(all: readonly T[], req: PageRequest, key: (item: T, field: string) => string | number): Page<T> {
  const cmp = (a: string | number, b: string | number) => (typeof a === 'number' && typeof b === 'number' ? a - b : String(a).localeCompare(String(b)));
  const sign = req.order === 'asc' ? 1 : -1;
  const typed = (v: string, sample: string | number) => (typeof sample === 'number' && v.trim() !== '' && !Number.isNaN(Number(v)) ? Number(v) : v);
  let items = [...all].sort((a, b) => sign * cmp(key(a, req.field), key(b, req.field)));
  if (req.start) {
    const { value, exclusive } = req.start;
    items = items.filter((i) => {
      const k = key(i, req.field);
      const c = sign * cmp(k, typed(value, k));
      return exclusive ? c > 0 : c >= 0;
    });
  }
  if (req.end !== null) {
    const end = req.end;
    items = items.filter((i) => sign * cmp(key(i, req.field), typed(end, key(i, req.field))) <= 0);
  }
  const page = items.slice(0, req.max);
  const headers: Record<string, string> = { 'Accept-Ranges': 'id, name, version' };
  if (page.length) {
    headers['Content-Range'] = `${req.field} ${key(page[0], req.field)}..${key(page[page.length - 1], req.field)}; max=${req.max}, order=${req.order}`;
  }
  if (items.length > page.length) {
    headers['Next-Range'] = `${req.field} ]${key(page[page.length - 1], req.field)}..; max=${req.max}, order=${req.order}`;
    return { items: page, status: 206, headers };
  }
  return { items: page, status: 200, headers };
}
