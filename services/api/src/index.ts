export * from './app.js';
export * from './config.js';
export { ensurePlatformTls, tlsDir, type PlatformTls } from './tls/platform-tls.js';
export { DrainDelivery } from './logs/drains/drain-delivery.js';
export { fetchCommit, FetchError, type FetchRequest } from './repo-links/git-fetch.js';
