import { createPrivateKey, createPublicKey, randomBytes, X509Certificate, type KeyObject } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import forge from 'node-forge';
import { libtrustKeyId } from '../domain/registry-token.js';
import { newKeyPem } from '../tls/certs.js';

const { pki, md } = forge;
const YEAR = 365 * 24 * 3600 * 1000;

/** What the api keeps in $PAAS_DATA_DIR/registry: the token signing key and certificate, and the registry's own secrets. */
export interface RegistryKeys {
  readonly dir: string;
  readonly signingKey: KeyObject;
  /** The libtrust id of the signing key: the `kid` of every token. */
  readonly keyId: string;
  /** The self-signed certificate of the signing key, the registry's rootcertbundle. */
  readonly certPath: string;
  /** The pull-only password of the dyno-manager (read by it from the same data dir). */
  readonly pullSecret: string;
  /** Names this data dir's registry (sent back in a response header). */
  readonly instanceId: string;
  /** The registry's http.secret (signs upload state). */
  readonly httpSecret: string;
}

/** Loads the registry's keys and secrets from the data dir, making what is missing (once; files are 0600). */
export async function ensureRegistryKeys(dataDir: string, now = new Date()): Promise<RegistryKeys> {
  const dir = join(dataDir, 'registry');
  await mkdir(join(dir, 'data'), { recursive: true, mode: 0o700 });
  const keyPem = await kept(join(dir, 'token-key.pem'), newKeyPem);
  const certPath = join(dir, 'token-cert.pem');
  const cert = await readFile(certPath, 'utf8').catch(() => '');
  if (!cert || !certFits(cert, keyPem, now)) await writeAtomically(certPath, selfSignedCert(keyPem, now), 0o644);
  const signingKey = createPrivateKey(keyPem);
  const spki = createPublicKey(signingKey).export({ type: 'spki', format: 'der' });
  return {
    dir, signingKey, keyId: libtrustKeyId(spki), certPath,
    pullSecret: await kept(join(dir, 'pull-secret'), () => randomBytes(24).toString('hex')),
    instanceId: await kept(join(dir, 'instance-id'), () => randomBytes(8).toString('hex')),
    httpSecret: await kept(join(dir, 'http-secret'), () => randomBytes(24).toString('hex')),
  };
}

/** A file's content, or a new value written to it first (the first of two racing api processes wins). */
async function kept(file: string, make: () => string): Promise<string> {
  const existing = (await readFile(file, 'utf8').catch(() => '')).trim();
  if (existing) return existing;
  const value = make();
  try {
    await writeFile(file, value + '\n', { mode: 0o600, flag: 'wx' });
    return value;
  } catch {
    return (await readFile(file, 'utf8')).trim();
  }
}

async function writeAtomically(file: string, content: string, mode: number): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, content, { mode });
  await rename(tmp, file);
}

/** True when the certificate carries the key and stays valid for another month. */
function certFits(certPem: string, keyPem: string, now: Date): boolean {
  try {
    const cert = new X509Certificate(certPem);
    const fromKey = createPublicKey(createPrivateKey(keyPem)).export({ type: 'spki', format: 'der' });
    return cert.publicKey.export({ type: 'spki', format: 'der' }).equals(fromKey) && new Date(cert.validTo).getTime() > now.getTime() + YEAR / 12;
  } catch {
    return false;
  }
}

/** The signing key's self-signed certificate (the registry reads only its public key), valid 10 years. */
function selfSignedCert(keyPem: string, now: Date): string {
  const cert = pki.createCertificate();
  cert.publicKey = pki.publicKeyFromPem(createPublicKey(createPrivateKey(keyPem)).export({ type: 'spki', format: 'pem' }).toString());
  cert.serialNumber = '01' + randomBytes(15).toString('hex');
  cert.validity.notBefore = new Date(now.getTime() - 5 * 60 * 1000);
  cert.validity.notAfter = new Date(now.getTime() + 10 * YEAR);
  const name = [{ name: 'commonName', value: 'PaaS registry token signer' }, { name: 'organizationName', value: 'PaaS' }];
  cert.setSubject(name);
  cert.setIssuer(name);
  cert.setExtensions([{ name: 'basicConstraints', cA: false, critical: true }, { name: 'keyUsage', digitalSignature: true, critical: true }]);
  cert.sign(pki.privateKeyFromPem(keyPem), md.sha256.create());
  return pki.certificateToPem(cert);
}
