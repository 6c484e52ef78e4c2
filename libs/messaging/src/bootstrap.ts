import { Logger, type INestApplication, type LogLevel } from '@nestjs/common';
import { initTelemetry, shutdownTelemetry } from '@paas/telemetry';
import { JetStreamTransport } from './transport.js';

/** Attaches the NATS transport to a Nest app and starts its consumers and responders. */
export async function startMessaging(app: INestApplication): Promise<void> {
  app.connectMicroservice({ strategy: app.get(JetStreamTransport) }, { inheritAppConfig: true });
  await app.startAllMicroservices();
}

/** Log levels from PAAS_LOG_LEVEL (error, warn, log, debug, verbose); `log` by default. */
export function logLevels(env: NodeJS.ProcessEnv = process.env): LogLevel[] {
  const order: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];
  const wanted = (env.PAAS_LOG_LEVEL ?? 'log') as LogLevel;
  const i = order.indexOf(wanted);
  return order.slice(0, i < 0 ? 4 : i + 1);
}

/**
 * Runs a service as its own process: tracing first, then the app; a boot failure prints what to
 * fix and exits 1; SIGTERM/SIGINT close the app (consumers drain) and flush spans.
 */
export async function runMain(service: string, create: () => Promise<INestApplication>): Promise<void> {
  initTelemetry(service);
  const log = new Logger(service);
  let app: INestApplication;
  try {
    app = await create();
  } catch (err) {
    log.error(`cannot start: ${(err as Error).message}`);
    await shutdownTelemetry().catch(() => undefined);
    process.exit(1);
  }
  let closing = false;
  const stop = async (signal: string) => {
    if (closing) return;
    closing = true;
    log.log(`${signal} received, shutting down`);
    const force = setTimeout(() => process.exit(1), 30_000);
    force.unref();
    await app.close().catch((err: Error) => log.error(`shutdown: ${err.message}`));
    await shutdownTelemetry().catch(() => undefined);
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}
