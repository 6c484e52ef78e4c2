import {
  context, propagation, trace, SpanKind, SpanStatusCode,
  type Context, type Span, type SpanOptions, type Tracer,
} from '@opentelemetry/api';
import {
  BatchSpanProcessor, NodeTracerProvider, SimpleSpanProcessor, type SpanExporter, type SpanProcessor,
} from '@opentelemetry/sdk-trace-node';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';

export { SpanKind, SpanStatusCode, context, trace, type Span, type Tracer, type Context };
export { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-node';

let provider: NodeTracerProvider | undefined;

export interface TelemetryOptions {
  /** Extra exporter, e.g. an in-memory one in tests; spans go to it synchronously. */
  exporter?: SpanExporter;
  /** Defaults to OTEL_EXPORTER_OTLP_ENDPOINT; when neither is set, spans are only kept in-process. */
  otlpEndpoint?: string;
}

/**
 * Registers the global tracer provider once per process (W3C trace context, async-hooks context).
 * Later calls, e.g. when several services share a test process, keep the first provider.
 */
export function initTelemetry(serviceName: string, options: TelemetryOptions = {}): Tracer {
  if (!provider) {
    const spanProcessors: SpanProcessor[] = [];
    if (options.exporter) spanProcessors.push(new SimpleSpanProcessor(options.exporter));
    const endpoint = options.otlpEndpoint ?? process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
    if (endpoint) {
      const url = endpoint.replace(/\/$/, '') + (endpoint.endsWith('/v1/traces') ? '' : '/v1/traces');
      spanProcessors.push(new BatchSpanProcessor(new OTLPTraceExporter({ url }), { scheduledDelayMillis: 500 }));
    }
    provider = new NodeTracerProvider({
      resource: resourceFromAttributes({ 'service.name': process.env.OTEL_SERVICE_NAME ?? `paas-${serviceName}` }),
      spanProcessors,
    });
    provider.register();
  }
  return trace.getTracer(serviceName);
}

/** Flushes and stops the provider, so a process that exits loses no spans. */
export async function shutdownTelemetry(): Promise<void> {
  const p = provider;
  provider = undefined;
  if (p) await p.shutdown();
}

export async function flushTelemetry(): Promise<void> {
  await provider?.forceFlush();
}

/** The active trace context as W3C headers (traceparent, tracestate), to carry across NATS or Postgres. */
export function currentTraceHeaders(ctx: Context = context.active()): Record<string, string> {
  const carrier: Record<string, string> = {};
  propagation.inject(ctx, carrier);
  return carrier;
}

/** A context whose parent is the one described by W3C headers. */
export function contextFromHeaders(headers: Record<string, string | undefined>): Context {
  return propagation.extract(context.active(), headers);
}

/**
 * Runs fn in a new span (child of `parent` or the active context), recording errors and
 * ending the span however fn finishes.
 */
export async function inSpan<T>(
  tracer: Tracer, name: string, options: SpanOptions & { parent?: Context },
  fn: (span: Span) => Promise<T>,
): Promise<T> {
  const parent = options.parent ?? context.active();
  return tracer.startActiveSpan(name, options, parent, async (span) => {
    try {
      return await fn(span);
    } catch (err) {
      span.recordException(err as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
      throw err;
    } finally {
      span.end();
    }
  });
}
