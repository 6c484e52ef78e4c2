import { createServer } from 'node:net';

/**
 * Hands out $PORT values from a range, skipping ports this manager gave out and ports anyone
 * else listens on (checked by binding 127.0.0.1). Starts at a random point so managers of
 * parallel test runs rarely probe the same port at the same moment.
 */
export class PortAllocator {
  private readonly taken = new Set<number>();
  private cursor: number;

  constructor(private readonly min: number, private readonly max: number) {
    this.cursor = min + Math.floor(Math.random() * (max - min + 1));
  }

  /** Marks a port as in use (an adopted dyno's). */
  reserve(port: number): void {
    this.taken.add(port);
  }

  release(port: number): void {
    this.taken.delete(port);
  }

  async allocate(): Promise<number> {
    const size = this.max - this.min + 1;
    for (let i = 0; i < size; i++) {
      const port = this.cursor;
      this.cursor = port >= this.max ? this.min : port + 1;
      if (this.taken.has(port)) continue;
      this.taken.add(port);
      if (await canBind(port)) return port;
      this.taken.delete(port);
    }
    throw new Error(`no free port left in ${this.min}-${this.max} for a new dyno: stop some dynos or widen PAAS_DYNO_PORT_MIN/PAAS_DYNO_PORT_MAX`);
  }
}

function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen({ port, host: '127.0.0.1', exclusive: true }, () => s.close(() => resolve(true)));
  });
}
