/** What an app's process may use on the host (process runtime): rlimits, since it shares the host's kernel view. */
export interface ProcessLimits {
  /** RLIMIT_DATA: heap and other private writable memory, in MB. */
  readonly memoryMb: number;
  /** RLIMIT_NPROC: processes of the app's user, all its dynos (or its build) together. */
  readonly processes: number;
  /** RLIMIT_NOFILE: open files per process (Heroku's dynos: 10000). */
  readonly files: number;
}

/**
 * The command line that runs `argv` as an app's own user (uid and gid alike, no supplementary
 * groups, no way to gain privileges through setuid programs) within `limits`: util-linux setpriv
 * drops to the user, prlimit sets the limits, then the command runs in their place. The caller
 * must be root; `uid` undefined keeps the caller's user and sets only the limits a user may lower
 * (not the open files, whose hard limit may be below Heroku's number).
 */
export function tenantCommand(uid: number | undefined, limits: ProcessLimits, argv: readonly string[]): string[] {
  const files = uid === undefined ? [] : [`--nofile=${limits.files}`];
  const rlimits = ['prlimit', `--data=${limits.memoryMb * 1024 * 1024}`, `--nproc=${limits.processes}`, ...files, '--'];
  const user = uid === undefined ? [] : ['setpriv', `--reuid=${uid}`, `--regid=${uid}`, '--clear-groups', '--no-new-privs', '--'];
  return [...user, ...rlimits, ...argv];
}
