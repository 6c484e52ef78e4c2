export * from './app.js';
export * from './config.js';
export { stopAllProcessDynos } from './adapters/runtime/process-state.js';
export { removeDockerDynos, DEFAULT_STACK_IMAGE } from './adapters/runtime/stack-image.js';
