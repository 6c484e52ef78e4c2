/** Injection tokens of the api service. */
export const SETTINGS = Symbol('API_SETTINGS');
export const BLOBS = Symbol('BLOBS');
export const API_KEY_HOLDER = Symbol('API_KEY_HOLDER');
