import { lookup } from 'node:dns/promises';

/** Every address a host name resolves to, or the reason it does not within `timeoutMs` (an error's code or message). */
export async function resolveAll(host: string, timeoutMs = 10_000): Promise<{ addresses: string[] } | { failed: string }> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const found = await Promise.race([
      lookup(host, { all: true, verbatim: true }),
      new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs / 1000} s`)), timeoutMs); }),
    ]);
    return { addresses: found.map((a) => a.address) };
  } catch (err) {
    return { failed: (err as NodeJS.ErrnoException).code ?? (err as Error).message };
  } finally {
    clearTimeout(timer);
  }
}
