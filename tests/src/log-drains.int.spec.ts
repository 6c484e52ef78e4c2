import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { INestApplication } from '@nestjs/common';
import { jetstream } from '@nats-io/jetstream';
import { apiSettingsFromEnv, createApiApp, DrainDelivery } from '@paas/api';
import { names, newLogLine } from '@paas/contracts';
import { connectNats, type NatsConnection } from '@paas/messaging';
import { NATS_URL, waitFor } from '@paas/testing';
import { SyslogReceiver } from './drain-receivers.js';
import { InProcessPlatform } from './in-process.js';

const KEY = 'drains-key';

describe('log drain delivery with two api processes: every line goes out once', () => {
  let p: InProcessPlatform | undefined;
  let second: INestApplication | undefined;
  let nc: NatsConnection | undefined;
  let receiver: SyslogReceiver | undefined;

  before(async () => {
    p = await InProcessPlatform.start('drains', KEY, { env: { PAAS_DRAIN_ALLOWED_HOSTS: '127.0.0.1/32' } });
    nc = await connectNats(NATS_URL, 'drains-spec');
    receiver = await SyslogReceiver.start();
  });

  after(async () => {
    await second?.close();
    await nc?.close().catch(() => undefined);
    await p?.stop();
    await receiver?.close();
  });

  test('given a drain and two api processes, when an app writes lines, then the drain gets each line exactly once', async () => {
    const api = (method: string, path: string, body?: unknown) => fetch(`${p!.apiUrl}${path}`, {
      method, body: JSON.stringify(body), headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` },
    });
    const created = await api('POST', '/apps', { name: 'twice' });
    assert.equal(created.status, 201);
    const appId = ((await created.json()) as { id: string }).id;
    const added = await api('POST', '/apps/twice/log-drains', { url: `syslog+tcp://127.0.0.1:${receiver!.port}` });
    assert.equal(added.status, 201);
    const drainId = ((await added.json()) as { id: string }).id;

    second = await createApiApp(apiSettingsFromEnv({
      ...process.env, PAAS_NAMESPACE: p!.namespace, DATABASE_URL: p!.databaseUrl, PAAS_DATA_DIR: p!.dataDir, PAAS_API_KEY: KEY,
      PAAS_API_PORT: '0', PAAS_API_TLS_PORT: '0', PAAS_RENDEZVOUS_PORT: '0', PAAS_GRPC_PORT: '0', PAAS_DRAIN_ALLOWED_HOSTS: '127.0.0.1/32',
    }));
    const [one, two] = [p!.api!.get(DrainDelivery), second.get(DrainDelivery)];
    await waitFor('both api processes to deliver to the drain', () => one.drainIds.includes(drainId) && two.drainIds.includes(drainId));

    const js = jetstream(nc!);
    const subject = names(p!.namespace).logSubject(appId);
    for (let i = 0; i < 300; i++) await js.publish(subject, JSON.stringify(newLogLine('app', 'web.1', `line ${i}`)));
    const lines = () => receiver!.frames.filter((f) => f.procId === 'web.1').map((f) => f.message);
    await waitFor('all 300 lines at the drain', () => lines().length >= 300, { timeoutMs: 30_000 });
    const got = lines();
    assert.equal(got.length, 300, 'no line twice');
    assert.equal(new Set(got).size, 300);
    assert.deepEqual(receiver!.errors, []);
  });
});
