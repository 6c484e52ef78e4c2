import express from 'express';

/** Where push webhooks arrive; their bodies are kept raw for the signature check. */
export const HOOK_PATH = '/hooks/repo';

const MAX_BODY = '25mb';

/**
 * The body parser of webhook deliveries: the raw bytes as a Buffer (any content type, up to
 * GitHub's 25 MB cap). Registered before Nest's JSON parser, which then leaves these requests alone;
 * every other route is parsed as before. A body it cannot read is answered here, in our error shape.
 */
export function rawHookBody(): express.RequestHandler {
  const parse = express.raw({ type: () => true, limit: MAX_BODY });
  return (req, res, next) => parse(req, res, (err?: unknown) => {
    if (!err) return next();
    const status = (err as { status?: number }).status ?? 400;
    const message = status === 413 ? `The delivery is larger than ${MAX_BODY}.` : `The delivery's body could not be read (${(err as Error).message}).`;
    res.status(status).json({ id: status === 413 ? 'payload_too_large' : 'bad_request', message });
  });
}
