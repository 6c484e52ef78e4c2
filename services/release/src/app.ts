import 'reflect-metadata';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { logLevels, startMessaging } from '@paas/messaging';
import type { ReleaseSettings } from './config.js';
import { ReleaseModule } from './release.module.js';

/** Creates and starts the release service (its NATS consumers and responders). */
export async function createReleaseApp(settings: ReleaseSettings): Promise<INestApplication> {
  const app = await NestFactory.create(ReleaseModule.forRoot(settings), { logger: logLevels() });
  await startMessaging(app);
  await app.init();
  return app;
}
