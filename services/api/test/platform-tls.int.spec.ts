import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { cleanup, freshDataDir } from '@paas/testing';
import { ensurePlatformTls, tlsDir } from '../src/tls/platform-tls.js';

const names = ['127.0.0.1', 'localhost'];

describe('the platform CA and server certificate on disk', () => {
  let dataDir: string;

  before(async () => {
    dataDir = await freshDataDir('paas-tls-');
  });

  after(async () => {
    await cleanup({ dataDir });
  });

  test('two api processes starting together end up with one CA, and a server cert it issued for the names', async () => {
    const [a, b] = await Promise.all([ensurePlatformTls(dataDir, names), ensurePlatformTls(dataDir, names)]);
    const caPem = await readFile(join(tlsDir(dataDir), 'ca.pem'), 'utf8');
    assert.equal(a.caPath, join(tlsDir(dataDir), 'ca.pem'));
    const ca = new X509Certificate(caPem);
    assert.equal(ca.ca, true);
    assert.ok(new Date(ca.validTo).getTime() - Date.now() > 9 * 365 * 24 * 3600 * 1000, 'the CA lasts ~10 years');
    for (const t of [a, b]) {
      const leaf = new X509Certificate(t.cert);
      assert.equal(leaf.ca, false);
      assert.ok(leaf.checkIssued(ca) && leaf.verify(ca.publicKey), 'the server cert is signed by the CA on disk');
      assert.equal(leaf.checkIP('127.0.0.1'), '127.0.0.1');
      assert.equal(leaf.checkHost('localhost'), 'localhost');
      assert.equal(leaf.checkHost('example.com'), undefined);
      assert.ok(leaf.checkPrivateKey((await import('node:crypto')).createPrivateKey(t.key)));
    }
    assert.equal((await stat(join(tlsDir(dataDir), 'ca-key.pem'))).mode & 0o777, 0o600);
    assert.equal((await stat(join(tlsDir(dataDir), 'server.pem'))).mode & 0o777, 0o600);
  });

  test('a later start keeps both; new names give a new server cert from the same CA', async () => {
    const first = await ensurePlatformTls(dataDir, names);
    const again = await ensurePlatformTls(dataDir, ['localhost', '127.0.0.1']);
    assert.equal(again.cert, first.cert);
    assert.equal(again.renewed, undefined);
    const caBefore = await readFile(first.caPath, 'utf8');
    const wider = await ensurePlatformTls(dataDir, [...names, 'paas.example.com']);
    assert.notEqual(wider.cert, first.cert);
    assert.match(wider.renewed ?? '', /differ from PAAS_TLS_HOSTNAMES/);
    assert.equal(new X509Certificate(wider.cert).checkHost('paas.example.com'), 'paas.example.com');
    assert.equal(await readFile(first.caPath, 'utf8'), caBefore);
  });

  test('a server cert expiring within 30 days is replaced at start', async () => {
    const soon = new Date(Date.now() - 340 * 24 * 3600 * 1000); // made 340 days ago: 25 days left
    await rm(join(tlsDir(dataDir), 'server.pem'));
    const old = await ensurePlatformTls(dataDir, names, soon);
    const now = await ensurePlatformTls(dataDir, names);
    assert.notEqual(now.cert, old.cert);
    assert.match(now.renewed ?? '', /within 30 days/);
  });

  test('a ca.pem that does not belong to ca-key.pem stops the start with what to do', async () => {
    const other = await freshDataDir('paas-tls-other-');
    try {
      await ensurePlatformTls(other, names);
      await writeFile(join(tlsDir(dataDir), 'ca.pem'), await readFile(join(tlsDir(other), 'ca.pem')));
      await assert.rejects(ensurePlatformTls(dataDir, names), /ca\.pem does not belong to ca-key\.pem.*delete both to make a new CA/);
    } finally {
      await cleanup({ dataDir: other });
    }
  });
});
