import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * GitHub-style push webhooks: the signature check (X-Hub-Signature-256) and what a delivery asks
 * for. Pure: the raw body and headers come in, a decision comes out.
 */

/** Whether `header` is `sha256=` + the hex HMAC-SHA256 of the raw body under `secret`, compared in constant time. */
export function validSignature(secret: string, body: Buffer, header: string | undefined): boolean {
  if (!header?.startsWith('sha256=')) return false;
  const given = Buffer.from(header.slice('sha256='.length), 'utf8');
  const expected = Buffer.from(createHmac('sha256', secret).update(body).digest('hex'), 'utf8');
  // timingSafeEqual needs equal lengths; a length differing says nothing about the secret.
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** The signature header a sender computes (tests, and anyone scripting a delivery). */
export function signBody(secret: string, body: Buffer | string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** What one delivery means for an app linked to `branch`. */
export type PushDecision =
  | { readonly action: 'ping' }
  | { readonly action: 'ignore'; readonly reason: string }
  | { readonly action: 'deploy'; readonly branch: string; readonly commit: string }
  | { readonly action: 'invalid'; readonly reason: string };

const SHA = /^[0-9a-f]{40}$/;

/**
 * Reads a delivery: `ping` is answered without building; a push to the linked branch with a new
 * head commit deploys it; other events, other refs, deleted branches and disabled auto-deploy are
 * ignored with the reason.
 */
export function decidePush(event: string | undefined, body: unknown, link: { branch: string; autoDeploy: boolean }): PushDecision {
  if (event === 'ping') return { action: 'ping' };
  if (event !== 'push') return { action: 'ignore', reason: `Ignored a ${event ? `"${event}"` : 'delivery without an X-GitHub-Event'} event: only push events deploy.` };
  if (typeof body !== 'object' || body === null) return { action: 'invalid', reason: 'The push event body is not a JSON object.' };
  const push = body as { ref?: unknown; after?: unknown; deleted?: unknown; head_commit?: { id?: unknown } | null };
  if (typeof push.ref !== 'string') return { action: 'invalid', reason: 'The push event has no "ref" (such as "refs/heads/main").' };
  if (!push.ref.startsWith('refs/heads/')) return { action: 'ignore', reason: `Ignored a push to ${push.ref}: only branches deploy.` };
  const branch = push.ref.slice('refs/heads/'.length);
  if (branch !== link.branch) return { action: 'ignore', reason: `Ignored a push to ${branch}: this app deploys ${link.branch}.` };
  const after = typeof push.after === 'string' ? push.after.toLowerCase() : undefined;
  if (push.deleted === true || (after !== undefined && /^0{40}$/.test(after))) return { action: 'ignore', reason: `Ignored the deletion of ${branch}: nothing to deploy.` };
  const commit = after ?? (typeof push.head_commit?.id === 'string' ? push.head_commit.id.toLowerCase() : undefined);
  if (!commit || !SHA.test(commit)) return { action: 'invalid', reason: 'The push event has no "after" commit id (40 hex digits).' };
  if (!link.autoDeploy) return { action: 'ignore', reason: `Ignored a push to ${branch}: automatic deploys are off for this app (POST /apps/:app/repo-link/deploys deploys it by hand).` };
  return { action: 'deploy', branch, commit };
}

/**
 * The JSON of a delivery body: GitHub sends application/json, or a form with the JSON in `payload`
 * (application/x-www-form-urlencoded); undefined when it is neither.
 */
export function pushPayload(contentType: string | undefined, body: Buffer): unknown {
  try {
    if ((contentType ?? '').startsWith('application/x-www-form-urlencoded')) {
      const payload = new URLSearchParams(body.toString('utf8')).get('payload');
      return payload === null ? undefined : JSON.parse(payload);
    }
    return JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
}
