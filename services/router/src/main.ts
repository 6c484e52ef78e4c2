import { runMain } from '@paas/messaging';
import { createRouterApp } from './app.js';
import { routerSettingsFromEnv } from './config.js';

await runMain('router', () => createRouterApp(routerSettingsFromEnv()));
