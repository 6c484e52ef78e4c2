import { readFile } from 'node:fs/promises';
import { connect } from 'node:net';

/**
 * True when something accepts TCP connections on host:port and, when `owner` is given (dynos of
 * the process runtime, which share the host's ports), the listening socket is that user's: a
 * process of another user on the dyno's port is not the dyno.
 */
export async function accepts(host: string, port: number, owner?: number, timeoutMs = 1000): Promise<boolean> {
  // No address (a container that ended before it was read): nothing to probe, and '' would mean localhost.
  if (!host) return false;
  if (owner !== undefined && !(await listeners(port)).includes(owner)) return false;
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * Polls a port until it accepts connections (true), the deadline passes (false) or
 * `stillWanted` says to give up (null: the dyno exited or is being stopped).
 */
export async function waitForPort(host: string, port: number, owner: number | undefined, deadline: number, stillWanted: () => boolean, intervalMs = 100): Promise<boolean | null> {
  for (;;) {
    if (!stillWanted()) return null;
    if (await accepts(host, port, owner)) return stillWanted() ? true : null;
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** The uids of the sockets listening on a TCP port of this host (/proc/net/tcp and tcp6). */
export async function listeners(port: number): Promise<number[]> {
  const owners: number[] = [];
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    const text = await readFile(file, 'utf8').catch(() => '');
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      // local_address is ADDR:PORT in hex, st 0A is LISTEN, the uid is the eighth field.
      if (f.length > 7 && f[3] === '0A' && parseInt(f[1]!.split(':')[1]!, 16) === port) owners.push(Number(f[7]));
    }
  }
  return owners;
}
