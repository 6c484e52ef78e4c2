/** A dyno as the planner sees it: one running (or crashed) instance of a process type. */
export type LiveState = 'starting' | 'up' | 'crashed';

export interface ActualDyno {
  /** Unique per instance: during a handover two instances of web.1 exist. */
  readonly id: string;
  readonly name: string;
  readonly type: string;
  readonly releaseVersion: number;
  readonly state: LiveState;
  /** For a crashed dyno: when it may be restarted (ms since epoch); null means at once. */
  readonly restartAt: number | null;
}

/** The dyno name Heroku shows for the n-th dyno of a type: web.1, worker.2. */
export function dynoName(type: string, index: number): string {
  return `${type}.${index}`;
}

/** A fresh instance id for a dyno name, safe in route keys and paths: web-1-3f9a0c12. */
export function newDynoId(name: string, random: string): string {
  return `${name.replace('.', '-')}-${random}`;
}
