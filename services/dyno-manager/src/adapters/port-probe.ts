import { connect } from 'node:net';

/** True when something accepts TCP connections on 127.0.0.1:port. */
export function accepts(port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
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
export async function waitForPort(port: number, deadline: number, stillWanted: () => boolean, intervalMs = 100): Promise<boolean | null> {
  for (;;) {
    if (!stillWanted()) return null;
    if (await accepts(port)) return stillWanted() ? true : null;
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
