/**
 * OpenTelemetry traces for `parley serve` and `parley worker`, on only when
 * OTEL_EXPORTER_OTLP_ENDPOINT is set: then cli.ts calls startTracing before it loads the command's
 * modules, and nothing of the SDK is loaded otherwise (no cost when off).
 *
 * The instrumentations patch modules as they load, so they must be in place first: node:http and
 * pg through import-in-the-middle's loader hook (Parley is ES modules, bundled in dist/ with its
 * packages left as imports), Fastify through its own diagnostics channel (@fastify/otel). The
 * standard OTEL_* variables (headers, sampler, batch delay) apply as the SDK reads them.
 */
import type { NodeSDK } from '@opentelemetry/sdk-node';

let sdk: NodeSDK | undefined;

export async function startTracing(): Promise<void> {
  const { register } = await import('node:module');
  const { createAddHookMessageChannel } = await import('import-in-the-middle');
  // Only the modules an instrumentation asks for are wrapped, not every import of the process.
  const { registerOptions, waitForAllMessagesAcknowledged } = createAddHookMessageChannel();
  register('import-in-the-middle/hook.mjs', import.meta.url, registerOptions);
  const [{ NodeSDK }, { OTLPTraceExporter }, { HttpInstrumentation }, { PgInstrumentation }, { FastifyOtelInstrumentation }] = await Promise.all([
    import('@opentelemetry/sdk-node'),
    import('@opentelemetry/exporter-trace-otlp-http'),
    import('@opentelemetry/instrumentation-http'),
    import('@opentelemetry/instrumentation-pg'),
    import('@fastify/otel'),
  ]);
  sdk = new NodeSDK({
    serviceName: 'parley',
    traceExporter: new OTLPTraceExporter(),
    // Traces only: metrics are Prometheus' (/metrics), logs are pino's lines. Without these the SDK
    // would also export its own metrics and logs to the same endpoint.
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations: [
      new HttpInstrumentation(),
      // A statement's span without a parent (the job runner's polling) would be a trace of its own each second.
      new PgInstrumentation({ requireParentSpan: true }),
      new FastifyOtelInstrumentation({ registerOnInitialization: true }),
    ],
  });
  sdk.start();
  await waitForAllMessagesAcknowledged();
}

/** Sends the spans still buffered; on shutdown, before the process exits. */
export async function stopTracing(): Promise<void> {
  await sdk?.shutdown().catch(() => undefined);
  sdk = undefined;
}
