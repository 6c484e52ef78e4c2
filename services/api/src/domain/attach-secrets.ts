/** The longest first line a rendezvous client may send before its secret counts as invalid. */
const MAX_SECRET_LINE = 512;

/**
 * Single-use rendezvous secrets, each naming what its client attaches to, valid for `ttlMs`
 * after it was offered. Time is passed in, so expiry is decided here and tested without waiting.
 */
export class AttachSecrets<T> {
  private readonly open = new Map<string, { target: T; expiresAt: number }>();

  constructor(private readonly ttlMs: number) {}

  /** Remembers a fresh secret for a target; returns when it expires. */
  offer(secret: string, target: T, now: number): number {
    const expiresAt = now + this.ttlMs;
    this.open.set(secret, { target, expiresAt });
    return expiresAt;
  }

  /** The target of a secret, which is used up by this; undefined when unknown, used or expired. */
  take(secret: string, now: number): T | undefined {
    const entry = this.open.get(secret);
    if (!entry) return undefined;
    this.open.delete(secret);
    return entry.expiresAt > now ? entry.target : undefined;
  }

  /** Forgets the secrets that expired by `now` and returns their targets (for the caller to drop). */
  expire(now: number): T[] {
    const gone: T[] = [];
    for (const [secret, entry] of this.open) {
      if (entry.expiresAt > now) continue;
      this.open.delete(secret);
      gone.push(entry.target);
    }
    return gone;
  }

  get size(): number {
    return this.open.size;
  }
}

/**
 * The secret line a rendezvous client starts with (`<secret>\r\n`), out of what it sent so far:
 * the secret and the bytes after it (stdin), 'more' while the line is incomplete, 'invalid' when
 * it is too long or not a plausible secret.
 */
export function parseSecretLine(received: Uint8Array): { secret: string; rest: Uint8Array } | 'more' | 'invalid' {
  const end = indexOfCrLf(received);
  if (end === -1) return received.length > MAX_SECRET_LINE ? 'invalid' : 'more';
  const secret = new TextDecoder().decode(received.subarray(0, end));
  if (!/^[A-Za-z0-9_-]{16,256}$/.test(secret)) return 'invalid';
  return { secret, rest: received.subarray(end + 2) };
}

function indexOfCrLf(b: Uint8Array): number {
  for (let i = 0; i + 1 < b.length; i++) if (b[i] === 13 && b[i + 1] === 10) return i;
  return -1;
}
