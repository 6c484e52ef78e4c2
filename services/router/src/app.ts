import 'reflect-metadata';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { logLevels, startMessaging } from '@paas/messaging';
import { ProxyServer } from './adapters/proxy-server.js';
import type { RouterSettings } from './config.js';
import { RouterModule } from './router.module.js';

/**
 * Creates and starts the router service: the route table is loaded before init returns, and the
 * proxy listens from then on (on settings.port; routerPort(app) tells the real one for port 0).
 */
export async function createRouterApp(settings: RouterSettings): Promise<INestApplication> {
  const app = await NestFactory.create(RouterModule.forRoot(settings), { logger: logLevels() });
  await startMessaging(app);
  await app.init();
  return app;
}

/** The port a router app is listening on. */
export function routerPort(app: INestApplication): number {
  return app.get(ProxyServer).port();
}
