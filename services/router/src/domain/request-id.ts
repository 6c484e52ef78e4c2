/** Heroku keeps a client's X-Request-Id when it is short and plain enough to log and pass on safely. */
export const REQUEST_ID_PATTERN = /^[A-Za-z0-9+=/_-]{1,200}$/;

/**
 * The request id the dyno sees: the client's X-Request-Id when it is at most 200 characters of
 * [A-Za-z0-9+=/_-], else a fresh one from `newId` (a uuid in production).
 */
export function requestIdFor(clientValue: string | string[] | undefined, newId: () => string): string {
  // Two X-Request-Id headers are ambiguous: neither is trusted.
  if (typeof clientValue === 'string' && REQUEST_ID_PATTERN.test(clientValue)) return clientValue;
  return newId();
}
