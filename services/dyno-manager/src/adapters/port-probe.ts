import { connect } from 'node:net';

/** True when something accepts TCP connections on host:port. */
export function accepts(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  // No address (a container that ended before it was read): nothing to probe, and '' would mean localhost.
  if (!host) return Promise.resolve(false);
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
export async function waitForPort(host: string, port: number, deadline: number, stillWanted: () => boolean, intervalMs = 100): Promise<boolean | null> {
  for (;;) {
    if (!stillWanted()) return null;
    if (await accepts(host, port)) return stillWanted() ? true : null;
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
