/** Heroku's timestamps in listings: `2026/11/24 21:00:00 +0000`, in UTC. */
export function formatTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const two = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}/${two(d.getUTCMonth() + 1)}/${two(d.getUTCDate())} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} +0000`;
}

/** How long ago, roughly, as Heroku's `(~ 5m ago)`. */
export function ago(iso: string, now: number = Date.now()): string {
  const s = Math.max(0, Math.round((now - new Date(iso).getTime()) / 1000));
  if (Number.isNaN(s)) return '';
  if (s < 60) return `(~ ${s}s ago)`;
  if (s < 3600) return `(~ ${Math.floor(s / 60)}m ago)`;
  if (s < 86_400) return `(~ ${Math.floor(s / 3600)}h ago)`;
  return `(~ ${Math.floor(s / 86_400)}d ago)`;
}
