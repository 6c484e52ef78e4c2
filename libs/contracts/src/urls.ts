/** The longest URL a user may give the platform (a log drain, a linked repository). */
export const MAX_URL = 2048;

/**
 * The URL, or why it is not one a user may give: too long or unparseable. The reason never
 * repeats the URL, which may hold a token.
 */
export function boundedUrl(raw: string): URL | string {
  if (raw.length > MAX_URL) return `it is ${raw.length} characters long, at most ${MAX_URL} are allowed`;
  try {
    return new URL(raw);
  } catch {
    return 'it is not a URL';
  }
}
