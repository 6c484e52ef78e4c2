import { Injectable } from '@nestjs/common';
import { pingFor, SERVICES } from '@paas/contracts';
import { RpcClient } from '@paas/messaging';

/** Asks each of the five services for a Ping over NATS; healthy only when all answer. */
@Injectable()
export class HealthService {
  constructor(private readonly rpc: RpcClient) {}

  async check(): Promise<{ ok: boolean; services: Record<string, string> }> {
    const results = await Promise.all(SERVICES.map(async (s) => {
      try {
        await this.rpc.request(pingFor(s), {}, { timeoutMs: 2000 });
        return [s, 'up'] as const;
      } catch (err) {
        return [s, `down: ${(err as Error).message}`] as const;
      }
    }));
    return { ok: results.every(([, v]) => v === 'up'), services: Object.fromEntries(results) };
  }
}
