export type { OpenTelemetryOptions } from './create-open-telemetry.js'
export { createOpenTelemetry } from './create-open-telemetry.js'
