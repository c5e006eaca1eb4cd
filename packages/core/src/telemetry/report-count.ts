import type { Telemetry, TelemetryAttributes } from '../ports/telemetry.js'

/**
 * Adds to a counter. A `Telemetry` must not throw, but one that does must never turn a request,
 * let alone a change already committed, into an error: its failure is dropped.
 */
export function reportCount(
  telemetry: Telemetry,
  name: string,
  value: number,
  attributes: TelemetryAttributes,
): void {
  try {
    telemetry.count(name, value, attributes)
  } catch {
    // Dropped: see above.
  }
}
