import type { INestApplication } from '@nestjs/common';
import { JetStreamTransport } from './transport.js';

/** Attaches the NATS transport to a Nest app and starts its consumers and responders. */
export async function startMessaging(app: INestApplication): Promise<void> {
  app.connectMicroservice({ strategy: app.get(JetStreamTransport) }, { inheritAppConfig: true });
  await app.startAllMicroservices();
}
