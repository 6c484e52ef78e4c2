import { randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The admin API key: PAAS_API_KEY, else the one kept in the data dir, else a new one saved there. */
export async function loadApiKey(dataDir: string, fromEnv: string | undefined): Promise<{ key: string; source: string; generated: boolean }> {
  if (fromEnv) return { key: fromEnv, source: 'PAAS_API_KEY', generated: false };
  const file = join(dataDir, 'api-key');
  const existing = await readFile(file, 'utf8').then((s) => s.trim()).catch(() => '');
  if (existing) return { key: existing, source: file, generated: false };
  await mkdir(dataDir, { recursive: true });
  const key = randomBytes(24).toString('hex');
  try {
    await writeFile(file, key + '\n', { mode: 0o600, flag: 'wx' });
  } catch {
    // Another api process wrote it first: use that one.
    return { key: (await readFile(file, 'utf8')).trim(), source: file, generated: false };
  }
  return { key, source: file, generated: true };
}

/** Compares a presented secret with the expected one in constant time. */
export function sameSecret(presented: string, expected: string): boolean {
  const a = Buffer.from(presented);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The key from `Authorization: Bearer <key>` or Basic auth with the key as password (git, curl -u). */
export function presentedKey(authorization: string | undefined): string | undefined {
  if (!authorization) return undefined;
  const [scheme, value = ''] = authorization.split(/\s+/, 2);
  if (/^bearer$/i.test(scheme)) return value;
  if (/^basic$/i.test(scheme)) {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const i = decoded.indexOf(':');
    return i < 0 ? decoded : decoded.slice(i + 1);
  }
  return undefined;
}
