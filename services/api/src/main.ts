import { runMain } from '@paas/messaging';
import { createApiApp } from './app.js';
import { apiSettingsFromEnv } from './config.js';

await runMain('api', () => createApiApp(apiSettingsFromEnv()));
