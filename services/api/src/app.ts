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
import { PlatformService } from './platform.service.js';

/** Creates the api service and starts listening; the bound URL is on `app.url`. */
export async function createApiApp(settings: ApiSettings): Promise<INestApplication & { url: string; apiKey: string }> {
  const key = await loadApiKey(settings.dataDir, settings.apiKey);
  const app = await NestFactory.create<NestExpressApplication>(ApiModule.forRoot(settings, key.key), { logger: logLevels() });
  app.set('x-powered-by', false);
  app.set('etag', false);
  await startMessaging(app);
  await app.listen(settings.port, settings.host);
  const port = (app.getHttpServer().address() as AddressInfo).port;
  const url = `http://${settings.host}:${port}`;
  app.get(GitService).setListeningPort(port);
  app.get(PlatformService).setApiUrl(url);
  const log = new Logger('api');
  log.log(`Platform API and git on ${url}`);
  if (key.generated) log.log(`generated the admin API key, kept in ${key.source}: ${key.key}`);
  else if (key.source !== 'PAAS_API_KEY') log.log(`admin API key from ${key.source}: ${key.key}`);
  return Object.assign(app, { url, apiKey: key.key });
}
