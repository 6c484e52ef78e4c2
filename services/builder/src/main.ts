import { runMain } from '@paas/messaging';
import { createBuilderApp } from './app.js';
import { builderSettingsFromEnv } from './config.js';

await runMain('builder', () => createBuilderApp(builderSettingsFromEnv()));
