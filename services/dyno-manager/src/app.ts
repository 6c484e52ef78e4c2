import 'reflect-metadata';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { logLevels, startMessaging } from '@paas/messaging';
import type { DynoManagerSettings } from './config.js';
import { DynoManagerModule } from './dyno-manager.module.js';

/** Creates and starts the dyno-manager service (its NATS consumers and responders). */
export async function createDynoManagerApp(settings: DynoManagerSettings): Promise<INestApplication> {
  const app = await NestFactory.create(DynoManagerModule.forRoot(settings), { logger: logLevels() });
  await startMessaging(app);
  await app.init();
  return app;
}
