/** Injection tokens of the builder's providers that are not classes. */
export const SETTINGS = Symbol('BUILDER_SETTINGS');
export const BLOBS = Symbol('BUILDER_BLOBS');
export const BUILD_OUTPUT = Symbol('BUILDER_BUILD_OUTPUT');
export const BUILD_RECORDS = Symbol('BUILDER_BUILD_RECORDS');
export const BUILD_INDEX = Symbol('BUILDER_BUILD_INDEX');
export const BUILD_CACHE = Symbol('BUILDER_BUILD_CACHE');
