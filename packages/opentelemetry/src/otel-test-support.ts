// Shared by this package's tests (not published): the OpenTelemetry SDK with in-memory exporters,
// and an authorization server on in-memory storage reporting to it.
import type { Meter, Tracer } from '@opentelemetry/api'
import {
  AggregationTemporality,
  type DataPoint,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics'
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base'
import {
  type AuthorizationServer,
  createAuthorizationServer,
  type Telemetry,
  webCrypto,
} from '@sp-oauth/core'
import { createMemoryStorage } from '@sp-oauth/core/memory'

/** A tracer and a meter of the real SDK, exporting to memory. */
export interface InMemorySdk {
  readonly tracerProvider: BasicTracerProvider
  readonly meterProvider: MeterProvider
  readonly tracer: Tracer
  readonly meter: Meter
  /** The spans ended so far. */
  spans(): ReadableSpan[]
  /** Exports the counters now and returns each data point of counter `name`. */
  counterPoints(name: string): Promise<DataPoint<number>[]>
  shutdown(): Promise<void>
}

export function createInMemorySdk(): InMemorySdk {
  const spanExporter = new InMemorySpanExporter()
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spanExporter)] })
  const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE)
  // Exported when the test flushes; the interval is only there because the reader needs one.
  const reader = new PeriodicExportingMetricReader({
    exporter: metricExporter,
    exportIntervalMillis: 3_600_000,
  })
  const meterProvider = new MeterProvider({ readers: [reader] })
  return {
    tracerProvider,
    meterProvider,
    tracer: tracerProvider.getTracer('@sp-oauth/core'),
    meter: meterProvider.getMeter('@sp-oauth/core'),
    spans: () => spanExporter.getFinishedSpans(),
    counterPoints: async (name) => {
      metricExporter.reset()
      await reader.forceFlush()
      const metrics = metricExporter
        .getMetrics()
        .flatMap((resource) => resource.scopeMetrics.flatMap((scope) => scope.metrics))
        .filter((metric) => metric.descriptor.name === name)
      return metrics.flatMap((metric) => metric.dataPoints as DataPoint<number>[])
    },
    shutdown: async () => {
      await tracerProvider.shutdown()
      await meterProvider.shutdown()
    },
  }
}

export function createServer(telemetry: Telemetry): AuthorizationServer {
  return createAuthorizationServer({
    issuer: 'https://auth.example.com',
    storage: createMemoryStorage(),
    crypto: webCrypto({ keys: [{ id: 'k1', secret: 'test-hash-key-0123456789abcdef0123456789' }] }),
    telemetry,
  })
}

/** A confidential client of the client_credentials grant. */
export async function createMachineClient(
  server: AuthorizationServer,
): Promise<{ readonly id: string; readonly secret: string }> {
  const { client, plaintextSecret } = await server.createClient({
    name: 'ERP Connector',
    redirectUris: ['https://client.example.com/callback'],
    allowedGrants: ['client_credentials'],
    allowedScopes: ['invoices.read'],
    confidential: true,
  })
  return { id: client.id, secret: plaintextSecret! }
}

export function clientCredentials(
  client: { readonly id: string },
  secret: string,
): { readonly body: Record<string, string> } {
  return {
    body: {
      grant_type: 'client_credentials',
      client_id: client.id,
      client_secret: secret,
      scope: 'invoices.read',
    },
  }
}
