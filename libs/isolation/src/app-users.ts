import { createHash } from 'node:crypto';
import { mkdir, open, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The process runtime's unprivileged users: each app's dynos and builds run under a uid of their
 * own (no account needed: the kernel takes any number), so one app cannot read another's files or
 * its processes' environments, nor the platform's. Both the builder and the dyno-manager ask for
 * an app's uid; whoever asks first claims it, atomically, under `<dataDir>/uids`.
 */
export interface AppUsers {
  /** The first uid handed out and how many there are (PAAS_APP_UID_BASE, 65536 by default). */
  readonly base: number;
  readonly count: number;
}

export const DEFAULT_APP_USERS: AppUsers = { base: 2_000_000_000, count: 65_536 };

/** Claims are for good: each process remembers the ones it read (by data dir and app). */
const known = new Map<string, number>();

/** The uid (and gid) an app's processes run as: its hash's slot, or the next free one when taken by another app. */
export async function appUid(dataDir: string, appId: string, users: AppUsers = DEFAULT_APP_USERS): Promise<number> {
  const key = `${dataDir}\0${appId}`;
  const cached = known.get(key);
  if (cached !== undefined) return cached;
  const uid = await claimUid(dataDir, appId, users);
  known.set(key, uid);
  return uid;
}

async function claimUid(dataDir: string, appId: string, users: AppUsers): Promise<number> {
  const dir = join(dataDir, 'uids');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const start = createHash('sha256').update(appId).digest().readUInt32BE(0) % users.count;
  for (let i = 0; i < users.count; i++) {
    const uid = users.base + ((start + i) % users.count);
    const file = join(dir, String(uid));
    const owner = await claim(file, appId);
    if (owner === appId) return uid;
  }
  throw new Error(`every one of the ${users.count} app uids from ${users.base} is taken`);
}

/** Creates `file` naming `appId` unless it exists; answers whose it is. */
async function claim(file: string, appId: string): Promise<string> {
  try {
    const h = await open(file, 'wx', 0o600);
    await h.writeFile(appId);
    await h.close();
    return appId;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    // Written by a concurrent claim a moment ago: an empty read means it is still being written.
    for (let tries = 0; tries < 50; tries++) {
      const owner = (await readFile(file, 'utf8')).trim();
      if (owner) return owner;
      await new Promise((r) => setTimeout(r, 10));
    }
    return '';
  }
}

/** Whether this process may run others as another user (root, or CAP_SETUID in practice). */
export function canSwitchUsers(): boolean {
  return process.getuid?.() === 0;
}
