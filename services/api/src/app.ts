import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import { Logger, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { logLevels, startMessaging } from '@paas/messaging';
import { ApiModule } from './api.module.js';
import { loadApiKey } from './api-key.js';
import type { ApiSettings } from './config.js';
import { GitService } from './git/git.service.js';
import { GrpcServer } from './grpc/grpc-server.js';
import { PlatformService } from './platform.service.js';
import { RegistryService } from './registry/registry.service.js';
import { HOOK_PATH, rawHookBody } from './repo-links/raw-hook-body.js';
import { RendezvousListener } from './rendezvous/rendezvous-listener.js';
import { HttpsListener } from './tls/https-listener.js';
import { ensurePlatformTls } from './tls/platform-tls.js';

/** Creates the api service and starts listening over HTTP and HTTPS (apiUrl()/apiTlsUrl() tell where, when a port was 0). */
export async function createApiApp(settings: ApiSettings): Promise<INestApplication> {
  const key = await loadApiKey(settings.dataDir, settings.apiKey);
  const tls = await ensurePlatformTls(settings.dataDir, settings.tlsHostnames);
  const app = await NestFactory.create<NestExpressApplication>(ApiModule.forRoot(settings, key.key), { logger: logLevels() });
  app.set('x-powered-by', false);
  app.set('etag', false);
  // Before Nest's own parsers (added at init): webhook signatures cover the raw bytes.
  app.use(HOOK_PATH, rawHookBody());
  await startMessaging(app);
  await app.listen(settings.port, settings.host);
  const url = apiUrl(app);
  const port = Number(new URL(url).port);
  app.get(GitService).setListeningPort(port);
  app.get(PlatformService).setApiUrl(url);
  // Same Express app, so the Platform API and git smart HTTP answer identically over TLS.
  await app.get(HttpsListener).start(tls, app.getHttpAdapter().getInstance(), settings.tlsPort, settings.host)
    .then(() => app.get(RendezvousListener).start(tls, settings.rendezvousPort, settings.host))
    .catch(async (err: Error) => {
      await app.close().catch(() => undefined);
      throw err;
    });
  const log = new Logger('api');
  log.log(`Platform API and git on ${url} and ${apiTlsUrl(app)}; heroku run rendezvous on port ${rendezvousPort(app)}`);
  if (tls.renewed) log.log(`made a new server certificate for ${settings.tlsHostnames.join(',')}: ${tls.renewed}`);
  log.log(`platform CA: ${tls.caPath} (trust it with NODE_EXTRA_CA_CERTS or GIT_SSL_CAINFO)`);
  // Where the key is, never the key: logs are read by more people than the key is for.
  if (key.generated) log.log(`generated the admin API key into ${key.source} (readable by this user only): export PAAS_API_KEY=$(cat ${key.source})`);
  else if (key.source !== 'PAAS_API_KEY') log.log(`admin API key from ${key.source}`);
  // The registry sends docker clients to this api for tokens, so it starts once the api listens;
  // in the background: it never fails the api, and the container endpoints wait for it.
  void app.get(RegistryService).start(url);
  return app;
}

/** Where a started api listens. */
export function apiUrl(app: INestApplication): string {
  const { address, port } = app.getHttpServer().address() as AddressInfo;
  return `http://${address}:${port}`;
}

/** Where a started api serves the Platform API and git over HTTPS. */
export function apiTlsUrl(app: INestApplication): string {
  return app.get(HttpsListener).url;
}

/** The port of a started api's rendezvous listener (`heroku run`), on the api's host. */
export function rendezvousPort(app: INestApplication): number {
  return app.get(RendezvousListener).port;
}

/** Where a started api serves the gRPC API, as host:port for a gRPC client. */
export function grpcUrl(app: INestApplication): string {
  return app.get(GrpcServer).address;
}
