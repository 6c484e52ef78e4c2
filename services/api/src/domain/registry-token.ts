import { createHash } from 'node:crypto';
import type { Access } from './registry-access.js';

/** How long a registry token is valid: long enough for one `docker push` of a big image to start its uploads. */
export const TOKEN_TTL_S = 300;

/** Who a registry token is from and for: the `iss` and `aud` the registry is configured to accept. */
export interface TokenParty {
  readonly issuer: string;
  readonly service: string;
}

/** The claims of a registry bearer token (Docker token auth spec). */
export function tokenClaims(party: TokenParty, subject: string, access: readonly Access[], nowS: number, jti: string) {
  return {
    iss: party.issuer,
    sub: subject,
    aud: party.service,
    // Backdated a little so a registry whose clock lags still accepts a fresh token.
    nbf: nowS - 30,
    iat: nowS,
    exp: nowS + TOKEN_TTL_S,
    jti,
    access: access.map((a) => ({ type: a.type, name: a.name, actions: [...a.actions] })),
  };
}

/**
 * The libtrust key id the registry knows a public key by (the `kid` it looks up in its
 * rootcertbundle): base32 of the first 30 bytes of sha256(DER SubjectPublicKeyInfo), in groups of
 * 4 joined by ':'.
 */
export function libtrustKeyId(spkiDer: Uint8Array): string {
  const digest = createHash('sha256').update(spkiDer).digest().subarray(0, 30);
  const b32 = base32(digest);
  return b32.match(/.{4}/g)!.join(':');
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 base32 without padding (30 bytes make 48 characters, no padding needed). */
function base32(bytes: Uint8Array): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += ALPHABET[(value << (5 - bits)) & 31];
  return out;
}

/** The registry's config file (JSON is YAML): filesystem storage, loopback address, token auth against the api. */
export function registryConfig(o: { dataDir: string; port: number; realm: string; party: TokenParty; certPath: string; instanceId: string }) {
  return {
    version: 0.1,
    log: { level: 'error', accesslog: { disabled: true }, formatter: 'text' },
    storage: { filesystem: { rootdirectory: o.dataDir }, delete: { enabled: true }, cache: { blobdescriptor: 'inmemory' } },
    http: {
      addr: `127.0.0.1:${o.port}`,
      // Tells an api finding the port taken that this registry serves the same data dir.
      headers: { 'X-Content-Type-Options': ['nosniff'], 'X-Paas-Registry': [o.instanceId] },
    },
    auth: { token: { realm: o.realm, service: o.party.service, issuer: o.party.issuer, rootcertbundle: o.certPath } },
  };
}
