import cluster from 'node:cluster';
import { runMain } from '@paas/messaging';
import { createRouterApp } from './app.js';
import { routerSettingsFromEnv } from './config.js';
import { runRouterProcesses } from './processes.js';

const settings = routerSettingsFromEnv();
if (settings.processes > 1 && cluster.isPrimary) runRouterProcesses(settings.processes, settings);
else await runMain('router', () => createRouterApp(settings));
