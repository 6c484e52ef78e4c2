import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DynoIdentity } from './driver.js';

/**
 * What a process dyno leaves in its directory so a restarted manager can adopt it: the pid,
 * guarded against reuse by the process start time from /proc, plus what the dyno runs.
 */
export interface ProcessDynoState extends DynoIdentity {
  readonly port: number;
  readonly pid: number;
  /** Field 22 of /proc/<pid>/stat (clock ticks since boot): the same pid with another start is another process. */
  readonly procStart: string;
  readonly startedAt: number;
  /** The app user it runs as (absent: the manager's own user). */
  readonly owner?: number;
}

/** Dot-names so they do not clash with the slug, which is unpacked in the same directory ($HOME). */
export const STATE_FILE = '.paas-dyno.json';
export const OUTPUT_FILE = '.paas-output.log';

export const dynosRoot = (dataDir: string) => join(dataDir, 'dynos');
export const dynoDir = (dataDir: string, appName: string, id: string) => join(dynosRoot(dataDir), appName, id);

/** The start time of a running process, or null when it is gone or a zombie. */
export async function procStart(pid: number): Promise<string | null> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null);
  if (!stat) return null;
  // The command name (field 2) may hold spaces and parentheses: fields resume after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  if (fields[0] === 'Z' || fields[0] === 'X') return null;
  return fields[19] ?? null;
}

/**
 * True while any process of the group still runs. The shell that starts a dyno may exit
 * before the app it started (on SIGTERM both get the signal), so stop() waits for the group,
 * not the leader. Zombies do not count: orphans may wait a while for their reaper.
 */
export async function groupAlive(pgid: number): Promise<boolean> {
  for (const entry of await readdir('/proc').catch(() => [] as string[])) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => null);
    if (!stat) continue;
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[2]) === pgid && fields[0] !== 'Z' && fields[0] !== 'X') return true;
  }
  return false;
}

/** True when the recorded process still runs (same pid and same start time). */
export async function isAlive(s: Pick<ProcessDynoState, 'pid' | 'procStart'>): Promise<boolean> {
  return (await procStart(s.pid)) === s.procStart;
}

export async function writeState(dir: string, s: ProcessDynoState): Promise<void> {
  const tmp = join(dir, `${STATE_FILE}.tmp`);
  await writeFile(tmp, JSON.stringify(s));
  await rename(tmp, join(dir, STATE_FILE));
}

/** Every dyno directory under the data dir with its state, or null where none was written (a start that died). */
export async function readStates(dataDir: string): Promise<{ dir: string; id: string; state: ProcessDynoState | null }[]> {
  const root = dynosRoot(dataDir);
  await mkdir(root, { recursive: true });
  const out: { dir: string; id: string; state: ProcessDynoState | null }[] = [];
  for (const app of await readdir(root)) {
    for (const id of await readdir(join(root, app)).catch(() => [])) {
      const dir = join(root, app, id);
      const raw = await readFile(join(dir, STATE_FILE), 'utf8').catch(() => null);
      let state: ProcessDynoState | null = null;
      try {
        state = raw ? (JSON.parse(raw) as ProcessDynoState) : null;
      } catch {
        state = null;
      }
      out.push({ dir, id, state });
    }
  }
  return out;
}

/** Sends a signal to a dyno's whole process group; false when the group is gone. */
export function signalGroup(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false;
  }
}

/** Kills every live dyno recorded under a data dir and removes their directories (tests clean up with this). */
export async function stopAllProcessDynos(dataDir: string): Promise<void> {
  for (const { dir, state } of await readStates(dataDir).catch(() => [])) {
    // Only a verified process is signalled: a stale pid may belong to someone else by now.
    if (state && await isAlive(state)) {
      signalGroup(state.pid, 'SIGKILL');
      const deadline = Date.now() + 5000;
      while (await isAlive(state) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    }
    await rm(dir, { recursive: true, force: true });
  }
}
