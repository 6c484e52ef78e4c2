import { createServer } from 'node:net';

/**
 * A free TCP port on loopback for a service to bind a moment later. Taken at random below the
 * kernel's ephemeral range (32768 and up) and the dynos' range (20000 and up): a port handed out
 * by listen(0) to some other spec's server in between can then never be this one.
 */
export async function freePort(): Promise<number> {
  for (let tries = 0; tries < 200; tries++) {
    const port = 12_000 + Math.floor(Math.random() * 8_000);
    const free = await new Promise<boolean>((resolve) => {
      const s = createServer();
      s.once('error', () => resolve(false));
      s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error('no free port between 12000 and 19999 on 127.0.0.1 after 200 tries');
}
