import { runMain } from '@paas/messaging';
import { createDynoManagerApp } from './app.js';
import { dynoManagerSettingsFromEnv } from './config.js';

await runMain('dyno-manager', () => createDynoManagerApp(dynoManagerSettingsFromEnv()));
