import 'reflect-metadata';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { logLevels, startMessaging } from '@paas/messaging';
import type { RouterSettings } from './config.js';
import { RouterModule } from './router.module.js';

/** Creates and starts the router service (its NATS consumers and responders). */
export async function createRouterApp(settings: RouterSettings): Promise<INestApplication> {
  const app = await NestFactory.create(RouterModule.forRoot(settings), { logger: logLevels() });
  await startMessaging(app);
  await app.init();
  return app;
}
