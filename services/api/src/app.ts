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

/** Creates the api service and starts listening (apiUrl() tells where, when the port was 0). */
export async function createApiApp(settings: ApiSettings): Promise<INestApplication> {
  const key = await loadApiKey(settings.dataDir, settings.apiKey);
  const app = await NestFactory.create<NestExpressApplication>(ApiModule.forRoot(settings, key.key), { logger: logLevels() });
  app.set('x-powered-by', false);
  app.set('etag', false);
  await startMessaging(app);
  await app.listen(settings.port, settings.host);
  const url = apiUrl(app);
  const port = Number(new URL(url).port);
  app.get(GitService).setListeningPort(port);
  app.get(PlatformService).setApiUrl(url);
  const log = new Logger('api');
  log.log(`Platform API and git on ${url}`);
  if (key.generated) log.log(`generated the admin API key, kept in ${key.source}: ${key.key}`);
  else if (key.source !== 'PAAS_API_KEY') log.log(`admin API key from ${key.source}: ${key.key}`);
  return app;
}

/** Where a started api listens. */
export function apiUrl(app: INestApplication): string {
  const { address, port } = app.getHttpServer().address() as AddressInfo;
  return `http://${address}:${port}`;
}

/** Where a started api serves the gRPC API, as host:port for a gRPC client. */
export function grpcUrl(app: INestApplication): string {
  return app.get(GrpcServer).address;
}
