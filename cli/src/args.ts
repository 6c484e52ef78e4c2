import { usageError } from './errors.js';

/** Config var names as the platform accepts them (letters, digits, underscores; not starting with a digit). */
const CONFIG_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** `KEY=value` arguments of config:set as changes; the value may hold `=`, an empty value is allowed. */
export function parseConfigAssignments(args: readonly string[]): Record<string, string> {
  if (args.length === 0) throw usageError('config:set needs at least one KEY=value, e.g. `paas config:set GREETING=hi -a myapp`');
  const changes: Record<string, string> = {};
  for (const arg of args) {
    const at = arg.indexOf('=');
    if (at <= 0) throw usageError(`${arg.includes('=') ? 'a config var needs a name' : `${arg} has no value`}: write KEY=value, e.g. GREETING=hi`);
    const key = arg.slice(0, at);
    if (!CONFIG_NAME.test(key)) throw usageError(`${key} is not a config var name: use letters, digits and underscores, not starting with a digit`);
    changes[key] = arg.slice(at + 1);
  }
  return changes;
}

/** One change of ps:scale: `web=2`, `worker+1`, `web=2:standard-2x`, `web:performance-m`. */
export interface ScaleUpdate {
  type: string;
  quantity?: number;
  /** +N / -N: relative to the current quantity. */
  delta?: number;
  size?: string;
}

/** The arguments of ps:scale as changes; `+N`/`-N` are relative (see formationUpdates). */
export function parseScaleArgs(args: readonly string[]): ScaleUpdate[] {
  return args.map((arg) => {
    const m = /^([a-z][a-z0-9_-]*?)(?:([=+-])(\d+))?(?::([a-z0-9-]+))?$/i.exec(arg);
    if (!m || (m[2] === undefined && m[4] === undefined)) {
      throw usageError(`${arg} is not a scale change: write TYPE=N, TYPE+N, TYPE-N or TYPE=N:SIZE, e.g. web=2 worker=1:standard-2x`);
    }
    const [, type, op, n, size] = m;
    const update: ScaleUpdate = { type };
    if (op === '=') update.quantity = Number(n);
    else if (op !== undefined) update.delta = Number(`${op}${n}`);
    if (size !== undefined) update.size = size;
    return update;
  });
}

/** The body's `updates` of PATCH /formation: relative changes applied to the current quantities (never below 0). */
export function formationUpdates(changes: readonly ScaleUpdate[], current: ReadonlyArray<{ type: string; quantity: number }>): Array<{ type: string; quantity?: number; size?: string }> {
  return changes.map((c) => {
    const update: { type: string; quantity?: number; size?: string } = { type: c.type };
    if (c.delta !== undefined) {
      const now = current.find((f) => f.type === c.type);
      if (!now) throw usageError(`there is no ${c.type} process type to scale by ${c.delta > 0 ? '+' : ''}${c.delta}: see \`paas ps\``);
      update.quantity = Math.max(0, now.quantity + c.delta);
    } else if (c.quantity !== undefined) update.quantity = c.quantity;
    if (c.size !== undefined) update.size = c.size;
    return update;
  });
}

/** A release named as `v3` or `3`, as the number the API takes. */
export function parseReleaseVersion(arg: string): number {
  const m = /^v?(\d+)$/i.exec(arg.trim());
  if (!m) throw usageError(`${arg} is not a release: name it like v3 (see \`paas releases\`)`);
  return Number(m[1]);
}

/** A whole number of log lines between 1 and 1500 (Logplex keeps no more). */
export function parseLineCount(arg: string): number {
  const n = Number(arg);
  if (!/^\d+$/.test(arg) || n < 1 || n > 1500) throw usageError(`-n takes a number of lines from 1 to 1500, got ${arg}`);
  return n;
}
