import { type Meter, metrics, type Span, SpanStatusCode, type Tracer, trace } from '@opentelemetry/api'
import type { Telemetry } from '@sp-oauth/core'
import { INSTRUMENTATION_SCOPE } from './instrumentation-scope.js'
import { createLazyCounters } from './lazy-counters.js'

/** Options of {@link createOpenTelemetry}. */
export interface OpenTelemetryOptions {
  /** Where spans go. Default: `trace.getTracer('@sp-oauth/core')`, the global tracer provider's. */
  readonly tracer?: Tracer
  /**
   * Where counters go. Default: `metrics.getMeter('@sp-oauth/core')` from the global meter
   * provider, asked for at the first count: register yours (start the SDK) before the server's
   * first request.
   */
  readonly meter?: Meter
}

/**
 * The core's `Telemetry` port on the OpenTelemetry API, for the `telemetry` option of
 * `createAuthorizationServer`. Each span becomes an OpenTelemetry span, current while it runs (so
 * storage spans are children of their use case's when a context manager is registered, as the
 * Node SDK does); one that fails gets status `ERROR` and the exception recorded, next to the
 * `oauth.error` attribute the core sets. A success leaves the status unset, as OpenTelemetry asks
 * of instrumentation. Each counter becomes a monotonic OpenTelemetry counter.
 *
 * Without an SDK registered, the API's no-op tracer and meter record nothing and cost little.
 */
export function createOpenTelemetry(options: OpenTelemetryOptions = {}): Telemetry {
  const tracer = options.tracer ?? trace.getTracer(INSTRUMENTATION_SCOPE)
  const counter = createLazyCounters(() => options.meter ?? metrics.getMeter(INSTRUMENTATION_SCOPE))
  return {
    span: (name, attributes, run) =>
      tracer.startActiveSpan(name, { attributes }, async (span) => {
        try {
          return await run(span)
        } catch (error) {
          markFailed(span, error)
          throw error
        } finally {
          span.end()
        }
      }),
    count: (name, value, attributes) => {
      counter(name).add(value, attributes)
    },
  }
}

function markFailed(span: Span, error: unknown): void {
  // Anything but an Error (a thrown string, an object) is not recorded: it may hold anything.
  if (error instanceof Error) span.recordException(error)
  span.setStatus({ code: SpanStatusCode.ERROR })
}
