import type { OAuthErrorCode } from '../errors/error-codes.js'
import { OAuthError } from '../errors/oauth-error.js'
import type { Telemetry, TelemetryAttributes } from '../ports/telemetry.js'
import { TELEMETRY_ATTRIBUTES } from './telemetry-names.js'

/** What a failure is reported as: an `OAuthError`'s code, `server_error` for anything else. */
export function telemetryErrorCode(error: unknown): OAuthErrorCode {
  return error instanceof OAuthError ? error.code : 'server_error'
}

/**
 * Runs `run` in a span named `name` and settles as it does. A rejection sets `oauth.error` on the
 * span here, so every `Telemetry` reports the same code.
 */
export function traceCall<T>(
  telemetry: Telemetry,
  name: string,
  attributes: TelemetryAttributes,
  run: () => Promise<T>,
): Promise<T> {
  return telemetry.span(name, attributes, async (span) => {
    try {
      return await run()
    } catch (error) {
      span.setAttributes({ [TELEMETRY_ATTRIBUTES.error]: telemetryErrorCode(error) })
      throw error
    }
  })
}
