import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTlsHostnames, sameNames, sanList, serverCertDecision } from '../src/domain/tls-names.js';

const now = new Date('2026-06-01T00:00:00Z');
const days = (n: number) => new Date(now.getTime() + n * 24 * 3600 * 1000);
const wanted = ['127.0.0.1', 'localhost'];

describe('PAAS_TLS_HOSTNAMES and the SAN lists built from it', () => {
  test('given IPs and names, when split, then IPs become IP SANs and names DNS SANs', () => {
    assert.deepEqual(sanList(['127.0.0.1', 'localhost', '::1', 'paas.example.com']), { ips: ['127.0.0.1', '::1'], dns: ['localhost', 'paas.example.com'] });
  });

  test('given a list with blanks, case and duplicates, when parsed, then it is trimmed, lower-cased and deduplicated', () => {
    assert.deepEqual(parseTlsHostnames(' 127.0.0.1, LocalHost ,,localhost,*.apps.example.com'), ['127.0.0.1', 'localhost', '*.apps.example.com']);
  });

  test('given a bad entry or no entry, when parsed, then the error names the entry and the setting', () => {
    assert.throws(() => parseTlsHostnames('localhost,bad host'), /PAAS_TLS_HOSTNAMES: "bad host" is neither an IP address nor a DNS name/);
    assert.throws(() => parseTlsHostnames(' , '), /names no host/);
  });

  test('given the same names in another order or case, then they are the same names', () => {
    assert.equal(sameNames(['localhost', '127.0.0.1'], ['127.0.0.1', 'LOCALHOST']), true);
    assert.equal(sameNames(['localhost'], ['localhost', '127.0.0.1']), false);
  });
});

describe('whether the server certificate is made again at start', () => {
  test('given no certificate, then it is made', () => {
    assert.deepEqual(serverCertDecision(undefined, wanted, now), { regenerate: true, reason: 'there is no server certificate yet' });
  });

  test('given a valid certificate for the same names, then it is kept', () => {
    assert.deepEqual(serverCertDecision({ notAfter: days(200), names: ['localhost', '127.0.0.1'], signedByCurrentCa: true }, wanted, now), { regenerate: false });
  });

  test('given one expiring within 30 days (or already expired), then it is made again', () => {
    for (const notAfter of [days(29), days(-1)]) {
      const d = serverCertDecision({ notAfter, names: wanted, signedByCurrentCa: true }, wanted, now);
      assert.equal(d.regenerate, true);
      assert.match(d.regenerate ? d.reason : '', /within 30 days/);
    }
    assert.equal(serverCertDecision({ notAfter: days(31), names: wanted, signedByCurrentCa: true }, wanted, now).regenerate, false);
  });

  test('given other names than PAAS_TLS_HOSTNAMES, then it is made again and the reason shows both lists', () => {
    const d = serverCertDecision({ notAfter: days(200), names: ['localhost'], signedByCurrentCa: true }, [...wanted, 'paas.example.com'], now);
    assert.equal(d.regenerate, true);
    assert.match(d.regenerate ? d.reason : '', /\(localhost\) differ from PAAS_TLS_HOSTNAMES \(127\.0\.0\.1,localhost,paas\.example\.com\)/);
  });

  test('given one signed by another CA, then it is made again', () => {
    assert.deepEqual(serverCertDecision({ notAfter: days(200), names: wanted, signedByCurrentCa: false }, wanted, now), { regenerate: true, reason: 'it was signed by another platform CA' });
  });
});
