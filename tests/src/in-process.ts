import type { INestApplication } from '@nestjs/common';
import { apiSettingsFromEnv, apiUrl, createApiApp, grpcUrl } from '@paas/api';
import { builderSettingsFromEnv, createBuilderApp } from '@paas/builder';
import { createDynoManagerApp, dynoManagerSettingsFromEnv } from '@paas/dyno-manager';
import { createReleaseApp, releaseSettingsFromEnv } from '@paas/release';
import { createRouterApp, routerSettingsFromEnv } from '@paas/router';
import { cleanup, freshDataDir, freshDatabase, freshNamespace } from '@paas/testing';
import { freePort, killDynos } from './platform.js';

/**
 * The five services inside the test process (so a test can read their spans or reach their
 * internals), on a private namespace, database, data dir and ports.
 */
export class InProcessPlatform {
  private readonly apps: INestApplication[] = [];
  /** The api's Nest app (tests reach its providers, e.g. DrainDelivery). */
  api: INestApplication | undefined;
  private constructor(readonly namespace: string, readonly apiKey: string, readonly routerPort: number) {}
  databaseUrl = '';
  dataDir = '';

  get apiUrl(): string { return apiUrl(this.api!); }
  get grpcUrl(): string { return grpcUrl(this.api!); }

  static async start(prefix: string, apiKey: string, o: { namespace?: string; env?: Record<string, string> } = {}): Promise<InProcessPlatform> {
    const p = new InProcessPlatform(o.namespace ?? freshNamespace(prefix), apiKey, await freePort());
    try {
      p.databaseUrl = await freshDatabase();
      p.dataDir = await freshDataDir(`paas-${prefix}-`);
      const env = {
        ...process.env, PAAS_NAMESPACE: p.namespace, DATABASE_URL: p.databaseUrl, PAAS_DATA_DIR: p.dataDir,
        PAAS_API_PORT: '0', PAAS_API_TLS_PORT: '0', PAAS_RENDEZVOUS_PORT: '0', PAAS_GRPC_PORT: '0', PAAS_ROUTER_PORT: String(p.routerPort),
        PAAS_API_KEY: apiKey, PAAS_DYNO_STOP_GRACE_MS: '2000', ...o.env,
      };
      p.apps.push(await createReleaseApp(releaseSettingsFromEnv(env)));
      p.apps.push(await createBuilderApp(builderSettingsFromEnv(env)));
      p.apps.push(await createDynoManagerApp(dynoManagerSettingsFromEnv(env)));
      p.apps.push(await createRouterApp(routerSettingsFromEnv(env)));
      p.api = await createApiApp(apiSettingsFromEnv(env));
      p.apps.push(p.api);
    } catch (err) {
      await p.stop();
      throw err;
    }
    return p;
  }

  /** Closes only the api (the other services keep running), as when the api process stops. */
  async closeApi(): Promise<void> {
    const api = this.apps.pop();
    if (api) await api.close();
  }

  /** Closes the services (api first), kills the dynos they left and removes namespace, database and data dir. */
  async stop(): Promise<void> {
    for (const app of [...this.apps].reverse()) await app.close().catch(() => undefined);
    if (this.dataDir) await killDynos(this.dataDir);
    await cleanup({ namespace: this.namespace, databaseUrl: this.databaseUrl || undefined, dataDir: this.dataDir || undefined });
  }
}
