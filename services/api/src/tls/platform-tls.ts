import { randomBytes } from 'node:crypto';
import { link, mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { serverCertDecision } from '../domain/tls-names.js';
import { buildCaCert, buildServerCert, describeServerCert, keyMatchesCert, newKeyPem } from './certs.js';

/** The key and certificate a TLS listener serves, and where clients find the CA to trust. */
export interface PlatformTls {
  key: string;
  cert: string;
  /** <dataDir>/tls/ca.pem: give it to clients (NODE_EXTRA_CA_CERTS, GIT_SSL_CAINFO, curl --cacert). */
  caPath: string;
  /** Why the server certificate was made at this start; undefined when the one on disk was kept. */
  renewed?: string;
}

/** Where the platform keeps its CA and server certificate. */
export const tlsDir = (dataDir: string) => join(dataDir, 'tls');

/**
 * The platform CA (made on first start, never replaced) and a server certificate for `hostnames`
 * signed by it (made again when missing, expiring within 30 days, or naming other hosts).
 */
export async function ensurePlatformTls(dataDir: string, hostnames: readonly string[], now = new Date()): Promise<PlatformTls> {
  const dir = tlsDir(dataDir);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const ca = await ensureCa(dir, now);
  const server = await ensureServerCert(dir, ca, hostnames, now);
  return { ...server, caPath: join(dir, 'ca.pem') };
}

async function ensureCa(dir: string, now: Date): Promise<{ key: string; cert: string }> {
  const keyPath = join(dir, 'ca-key.pem');
  const certPath = join(dir, 'ca.pem');
  // The key is created first and decides the race between api processes starting together; a missing
  // ca.pem next to an existing key (a crash in between) is rebuilt from that key, also exclusively.
  const key = (await readIfExists(keyPath)) ?? (await createOnce(keyPath, newKeyPem(), 0o600));
  const cert = (await readIfExists(certPath)) ?? (await createOnce(certPath, buildCaCert(key, now), 0o644));
  if (!keyMatchesCert(key, cert)) {
    throw new Error(`the platform CA in ${dir} is inconsistent: ca.pem does not belong to ca-key.pem. Restore both from a backup, or delete both to make a new CA (every client must then trust the new ca.pem)`);
  }
  return { key, cert };
}

async function ensureServerCert(dir: string, ca: { key: string; cert: string }, hostnames: readonly string[], now: Date): Promise<{ key: string; cert: string; renewed?: string }> {
  const path = join(dir, 'server.pem');
  const existing = splitPem((await readIfExists(path)) ?? '');
  const usable = existing && keyMatchesCert(existing.key, existing.cert) ? existing : undefined;
  const decision = serverCertDecision(usable && describeServerCert(usable.cert, ca.cert), hostnames, now);
  if (!decision.regenerate) return usable!;
  const key = newKeyPem();
  const cert = buildServerCert(ca, key, hostnames, now);
  // Certificate and key in one file, so a rename replaces both at once.
  await replaceAtomically(path, cert + key, 0o600);
  return { key, cert, renewed: decision.reason };
}

/** Cert and key out of server.pem; undefined when the file is missing or not of that shape. */
function splitPem(text: string): { key: string; cert: string } | undefined {
  const cert = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n?/.exec(text)?.[0];
  const key = /-----BEGIN RSA PRIVATE KEY-----[\s\S]+?-----END RSA PRIVATE KEY-----\n?/.exec(text)?.[0];
  return cert && key ? { cert, key } : undefined;
}

async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`reading ${path} failed: ${(err as Error).message}. Check the permissions of PAAS_DATA_DIR`);
  }
}

/** Writes a file complete or not at all, never over an existing one; returns what the file holds then. */
async function createOnce(path: string, content: string, mode: number): Promise<string> {
  const tmp = await writeTemp(path, content, mode);
  try {
    await link(tmp, path);
    return content;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return readFile(path, 'utf8'); // another api process made it first: use theirs
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
}

async function replaceAtomically(path: string, content: string, mode: number): Promise<void> {
  await rename(await writeTemp(path, content, mode), path);
}

async function writeTemp(path: string, content: string, mode: number): Promise<string> {
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(tmp, content, { mode, flag: 'wx' });
  return tmp;
}
