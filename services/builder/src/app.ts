import 'reflect-metadata';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { logLevels, startMessaging } from '@paas/messaging';
import type { BuilderSettings } from './config.js';
import { BuilderModule } from './builder.module.js';

/** Creates and starts the builder service (its NATS consumers and responders). */
export async function createBuilderApp(settings: BuilderSettings): Promise<INestApplication> {
  const app = await NestFactory.create(BuilderModule.forRoot(settings), { logger: logLevels() });
  await startMessaging(app);
  await app.init();
  return app;
}
