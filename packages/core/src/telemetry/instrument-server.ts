import type { OAuthErrorCode } from '../errors/error-codes.js'
import type { Telemetry, TelemetryAttributes } from '../ports/telemetry.js'
import type { AuthorizationServer } from '../server/create-authorization-server.js'
import { CLAIMED_CLIENT_IDS, provesClient } from './claimed-client-id.js'
import { reportCount } from './report-count.js'
import { NO_ATTRIBUTES, SPAN_PREFIX, TELEMETRY_ATTRIBUTES, TELEMETRY_COUNTERS } from './telemetry-names.js'
import { telemetryErrorCode } from './trace-call.js'
import { USE_CASE_ATTRIBUTES } from './use-case-attributes.js'

type UseCase = (...args: unknown[]) => Promise<unknown>
type OfArguments<R> = (...args: unknown[]) => R

/** Methods that are no use case: `renderError` answers at once, and never fails. */
const UNTRACED: ReadonlySet<string> = new Set(['renderError'])

/**
 * The server with every use case in a `sp_oauth.<useCase>` span, and each rejection counted as
 * `sp_oauth.requests.refused`.
 */
export function instrumentServer(server: AuthorizationServer, telemetry: Telemetry): AuthorizationServer {
  const traced: Record<string, unknown> = { ...server }
  for (const [name, value] of Object.entries(server)) {
    if (typeof value !== 'function' || UNTRACED.has(name)) continue
    traced[name] = traceUseCase(telemetry, name, value as UseCase)
  }
  return traced as unknown as AuthorizationServer
}

function traceUseCase(telemetry: Telemetry, name: string, useCase: UseCase): UseCase {
  const spanName = `${SPAN_PREFIX}.${name}`
  const describe = USE_CASE_ATTRIBUTES[name as keyof AuthorizationServer] as
    | OfArguments<TelemetryAttributes>
    | undefined
  const claim = CLAIMED_CLIENT_IDS[name as keyof AuthorizationServer] as
    | OfArguments<string | null>
    | undefined
  return (...args) => {
    const attributes = describe ? read(describe, args, NO_ATTRIBUTES) : NO_ATTRIBUTES
    const claimed = claim ? read(claim, args, null) : null
    return telemetry.span(spanName, attributes, async (span) => {
      try {
        const value = await useCase(...args)
        if (claimed !== null) span.setAttributes({ [TELEMETRY_ATTRIBUTES.clientId]: claimed })
        return value
      } catch (error) {
        const code = telemetryErrorCode(error)
        span.setAttributes({
          [TELEMETRY_ATTRIBUTES.error]: code,
          ...(claimed !== null && provesClient(error) ? { [TELEMETRY_ATTRIBUTES.clientId]: claimed } : {}),
        })
        reportCount(
          telemetry,
          TELEMETRY_COUNTERS.requestsRefused,
          1,
          refusalAttributes(name, code, attributes),
        )
        throw error
      }
    })
  }
}

/** What `read` finds in the arguments; arguments too malformed to read give `fallback` (the use case refuses them). */
function read<R>(of: OfArguments<R>, args: unknown[], fallback: R): R {
  try {
    return of(...args)
  } catch {
    return fallback
  }
}

/** A refusal is counted by code, use case and grant: never by client, which has no bound. */
function refusalAttributes(
  useCase: string,
  code: OAuthErrorCode,
  span: TelemetryAttributes,
): TelemetryAttributes {
  const grantType = span[TELEMETRY_ATTRIBUTES.grantType]
  return {
    [TELEMETRY_ATTRIBUTES.error]: code,
    [TELEMETRY_ATTRIBUTES.useCase]: useCase,
    ...(grantType === undefined ? {} : { [TELEMETRY_ATTRIBUTES.grantType]: grantType }),
  }
}
