import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { request } from 'node:https';
import { createServer, connect } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import { cleanup, freshDataDir, freshNamespace } from '@paas/testing';
import { apiTlsUrl, apiUrl, createApiApp } from '../src/app.js';
import { apiSettingsFromEnv } from '../src/config.js';

const KEY = 'tls-listener-key';
// Nest reads its log level from the process environment: keep the route map out of the test output.
process.env.PAAS_LOG_LEVEL ??= 'warn';

function getAccount(url: string, ca: string): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/account`, { ca, headers: { authorization: `Bearer ${KEY}`, accept: 'application/vnd.heroku+json; version=3' } }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(body) }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Resolves true when something accepts TCP connections on the port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1', () => { s.destroy(); resolve(true); });
    s.on('error', () => resolve(false));
  });
}

describe('the api HTTPS listener next to the plain one', () => {
  const namespace = freshNamespace('apitls');
  let dataDir: string;
  let app: INestApplication | undefined;
  const env = (extra: Record<string, string>) => ({ ...process.env, PAAS_NAMESPACE: namespace, PAAS_DATA_DIR: dataDir, PAAS_API_PORT: '0', PAAS_GRPC_PORT: '0', PAAS_RENDEZVOUS_PORT: '0', PAAS_API_KEY: KEY, PAAS_LOG_LEVEL: 'warn', ...extra });

  before(async () => {
    dataDir = await freshDataDir('paas-api-tls-');
  });

  after(async () => {
    await app?.close().catch(() => undefined);
    await cleanup({ namespace, dataDir });
  });

  test('serves the same Platform API with a cert from the platform CA, and stops with the app', async () => {
    app = await createApiApp(apiSettingsFromEnv(env({ PAAS_API_TLS_PORT: '0' })));
    const tls = new URL(apiTlsUrl(app));
    assert.equal(tls.protocol, 'https:');
    assert.notEqual(tls.port, new URL(apiUrl(app)).port);
    const r = await getAccount(tls.origin, await readFile(`${dataDir}/tls/ca.pem`, 'utf8'));
    assert.equal(r.status, 200);
    assert.equal(r.body.email, 'admin@paas.local');
    await app.close();
    app = undefined;
    assert.equal(await listening(Number(tls.port)), false, 'the HTTPS port is released on close');
  });

  test('a taken PAAS_API_TLS_PORT fails the start with what to change', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve()));
    try {
      const port = String((blocker.address() as { port: number }).port);
      await assert.rejects(createApiApp(apiSettingsFromEnv(env({ PAAS_API_TLS_PORT: port }))), /HTTPS listener on 127\.0\.0\.1:\d+ failed.*Set PAAS_API_TLS_PORT to a free port/);
    } finally {
      blocker.close();
    }
  });

  test('a bad PAAS_API_TLS_PORT or PAAS_TLS_HOSTNAMES is refused at boot', () => {
    assert.throws(() => apiSettingsFromEnv(env({ PAAS_API_TLS_PORT: '70000' })), /PAAS_API_TLS_PORT="70000" is not a TCP port/);
    assert.throws(() => apiSettingsFromEnv(env({ PAAS_TLS_HOSTNAMES: 'a b' })), /PAAS_TLS_HOSTNAMES: "a b"/);
    assert.deepEqual(apiSettingsFromEnv(env({})).tlsHostnames, ['127.0.0.1', 'localhost']);
    assert.equal(apiSettingsFromEnv(env({})).tlsPort, 5443);
  });

  test('PAAS_RENDEZVOUS_PORT and PAAS_RENDEZVOUS_TIMEOUT_MS (heroku run) default to 5002 and 60 s; bad values are refused', () => {
    const defaults = apiSettingsFromEnv(env({ PAAS_RENDEZVOUS_PORT: '' }));
    assert.equal(defaults.rendezvousPort, 5002);
    assert.equal(defaults.rendezvousTimeoutMs, 60_000);
    assert.throws(() => apiSettingsFromEnv(env({ PAAS_RENDEZVOUS_PORT: 'x' })), /PAAS_RENDEZVOUS_PORT="x" is not a TCP port/);
    assert.throws(() => apiSettingsFromEnv(env({ PAAS_RENDEZVOUS_TIMEOUT_MS: '-5' })), /PAAS_RENDEZVOUS_TIMEOUT_MS="-5" is not a positive number of milliseconds/);
  });
});
