/** Injection tokens of the dyno-manager service. */
export const SETTINGS = Symbol('DYNO_MANAGER_SETTINGS');
export const RUNTIME_DRIVER = Symbol('RUNTIME_DRIVER');
