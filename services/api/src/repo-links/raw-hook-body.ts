import express from 'express';

/** Where push webhooks arrive; their bodies are kept raw for the signature check. */
export const HOOK_PATH = '/hooks/repo';

/**
 * The body parser of webhook deliveries: the raw bytes as a Buffer (any content type, up to
 * GitHub's 25 MB cap). Registered before Nest's JSON parser, which then leaves these requests alone;
 * every other route is parsed as before.
 */
export function rawHookBody(): express.RequestHandler {
  return express.raw({ type: () => true, limit: '25mb' });
}
