/** Heroku's router limits on what a request's head may carry. */
export const LIMITS = { requestLine: 8192, headerName: 1000, headerValue: 8192, headers: 1000 } as const;

/** Why a request breaks a limit, with the status it is answered with. */
export interface LimitBreach {
  status: 414 | 431;
  reason: string;
}

/**
 * The first of Heroku's limits the request breaks (request line 8192 B -> 414; a header name over
 * 1000 B, a header value over 8192 B or more than 1000 headers -> 431), or undefined when it fits.
 * `rawHeaders` is node's flat [name, value, name, value, ...] list. The strings are as HTTP parsers
 * give them, one char per byte (latin1: node's parser and the raw plane both decode heads so), so
 * their lengths are byte counts and nothing is encoded to measure them.
 */
export function limitBreach(method: string, url: string, httpVersion: string, rawHeaders: readonly string[]): LimitBreach | undefined {
  const requestLine = method.length + url.length + httpVersion.length + 7; // `${method} ${url} HTTP/${httpVersion}`
  if (requestLine > LIMITS.requestLine) {
    return { status: 414, reason: `The request line is ${requestLine} bytes; at most ${LIMITS.requestLine} are accepted.` };
  }
  if (rawHeaders.length / 2 > LIMITS.headers) {
    return { status: 431, reason: `The request has ${rawHeaders.length / 2} headers; at most ${LIMITS.headers} are accepted.` };
  }
  for (let i = 0; i < rawHeaders.length; i += 2) {
    if (rawHeaders[i].length > LIMITS.headerName) {
      return { status: 431, reason: `A header name is longer than ${LIMITS.headerName} bytes.` };
    }
    if (rawHeaders[i + 1].length > LIMITS.headerValue) {
      return { status: 431, reason: `The ${rawHeaders[i]} header is longer than ${LIMITS.headerValue} bytes.` };
    }
  }
  return undefined;
}
