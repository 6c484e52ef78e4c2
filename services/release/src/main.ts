import { runMain } from '@paas/messaging';
import { createReleaseApp } from './app.js';
import { releaseSettingsFromEnv } from './config.js';

await runMain('release', () => createReleaseApp(releaseSettingsFromEnv()));
