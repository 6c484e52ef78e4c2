export * from './app.js';
export * from './config.js';
export { stopAllProcessDynos } from './adapters/runtime/process-state.js';
