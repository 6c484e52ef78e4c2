import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, X509Certificate } from 'node:crypto';
import forge from 'node-forge';
import { sanList, type ExistingServerCert } from '../domain/tls-names.js';

// node-forge builds the certificates (Node's crypto can read X.509 but not issue it); the RSA keys come
// from Node's crypto because forge's pure-JS key generation takes seconds. forge has no ECDSA certificates.
const { pki, md } = forge;
const DAY = 24 * 3600 * 1000;
const CA_NAME = [{ name: 'commonName', value: 'PaaS platform CA' }, { name: 'organizationName', value: 'PaaS' }];

/** A new RSA 2048 private key as PKCS#1 PEM. */
export function newKeyPem(): string {
  return generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
}

/** The self-signed platform CA certificate for a key: cA=true, keyCertSign, valid 10 years. */
export function buildCaCert(caKeyPem: string, now: Date): string {
  const cert = baseCert(caKeyPem, now, 10 * 365 * DAY);
  cert.setSubject(CA_NAME);
  cert.setIssuer(CA_NAME);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(pki.privateKeyFromPem(caKeyPem), md.sha256.create());
  return pki.certificateToPem(cert);
}

/** A server certificate for `hostnames` (IPs as IP SANs, names as DNS SANs) signed by the CA, valid 1 year. */
export function buildServerCert(ca: { key: string; cert: string }, serverKeyPem: string, hostnames: readonly string[], now: Date): string {
  const caCert = pki.certificateFromPem(ca.cert);
  const cert = baseCert(serverKeyPem, now, 365 * DAY);
  cert.setSubject([{ name: 'commonName', value: hostnames[0] }, { name: 'organizationName', value: 'PaaS' }]);
  cert.setIssuer(caCert.subject.attributes);
  const sans = sanList(hostnames);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames: [...sans.dns.map((value) => ({ type: 2, value })), ...sans.ips.map((ip) => ({ type: 7, ip }))] },
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes() },
  ]);
  cert.sign(pki.privateKeyFromPem(ca.key), md.sha256.create());
  return pki.certificateToPem(cert);
}

/** What the start-up decision needs to know about a server certificate on disk. */
export function describeServerCert(certPem: string, caCertPem: string): ExistingServerCert {
  const cert = new X509Certificate(certPem);
  const ca = new X509Certificate(caCertPem);
  return {
    notAfter: new Date(cert.validTo),
    names: altNames(certPem),
    signedByCurrentCa: cert.checkIssued(ca) && cert.verify(ca.publicKey),
  };
}

/** True when the private key is the one whose public half the certificate carries. */
export function keyMatchesCert(keyPem: string, certPem: string): boolean {
  const fromKey = createPublicKey(createPrivateKey(keyPem)).export({ type: 'spki', format: 'der' });
  const fromCert = new X509Certificate(certPem).publicKey.export({ type: 'spki', format: 'der' });
  return fromKey.equals(fromCert);
}

function altNames(certPem: string): string[] {
  const ext = pki.certificateFromPem(certPem).getExtension('subjectAltName') as { altNames?: { type: number; value?: string; ip?: string }[] } | undefined;
  return (ext?.altNames ?? []).map((n) => (n.type === 7 ? n.ip ?? '' : n.value ?? '')).filter((n) => n !== '');
}

function baseCert(keyPem: string, now: Date, lifetimeMs: number): forge.pki.Certificate {
  const cert = pki.createCertificate();
  cert.publicKey = pki.publicKeyFromPem(createPublicKey(createPrivateKey(keyPem)).export({ type: 'spki', format: 'pem' }).toString());
  // A positive serial: the leading 01 keeps the DER integer's sign bit clear.
  cert.serialNumber = '01' + randomBytes(15).toString('hex');
  // Backdated a little so a client whose clock lags by minutes still accepts a fresh certificate.
  cert.validity.notBefore = new Date(now.getTime() - 5 * 60 * 1000);
  cert.validity.notAfter = new Date(now.getTime() + lifetimeMs);
  return cert;
}
