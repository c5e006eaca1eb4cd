import type { OAuthEvent } from '../domain/events.js'
import { GRANT_TYPES, type GrantType } from '../domain/grant-type.js'
import type { Telemetry, TelemetryAttributes } from '../ports/telemetry.js'
import { reportCount } from './report-count.js'
import { TELEMETRY_ATTRIBUTES, TELEMETRY_COUNTERS } from './telemetry-names.js'

/** Counts the events of one committed change; see {@link createEventCounter}. */
export type CountEvents = (events: readonly OAuthEvent[]) => void

type TokenType = 'access_token' | 'refresh_token'

/**
 * Turns the events a use case reports into the token counters (`sp_oauth.tokens.issued`,
 * `sp_oauth.tokens.revoked`). Called once per committed change, wherever its events go, so the
 * counters follow what was committed, never what was attempted or rolled back.
 */
export function createEventCounter(telemetry: Telemetry): CountEvents {
  // Built once: a counter's attributes are the same few objects on every request.
  const issued = new Map<GrantType, TelemetryAttributes>(
    GRANT_TYPES.map((grantType) => [
      grantType,
      Object.freeze({ [TELEMETRY_ATTRIBUTES.grantType]: grantType }),
    ]),
  )
  const revoked = (tokenType: TokenType, revocation: 'token' | 'user'): TelemetryAttributes =>
    Object.freeze({
      [TELEMETRY_ATTRIBUTES.tokenType]: tokenType,
      [TELEMETRY_ATTRIBUTES.revocation]: revocation,
    })
  const presented = {
    access_token: revoked('access_token', 'token'),
    refresh_token: revoked('refresh_token', 'token'),
  }
  const ofUser = {
    access_token: revoked('access_token', 'user'),
    refresh_token: revoked('refresh_token', 'user'),
  }
  const add = (name: string, value: number, attributes: TelemetryAttributes | undefined): void => {
    if (value > 0 && attributes) reportCount(telemetry, name, value, attributes)
  }

  return (events) => {
    for (const event of events) {
      switch (event.type) {
        case 'OAuthTokenIssued':
          add(TELEMETRY_COUNTERS.tokensIssued, 1, issued.get(event.grantType))
          break
        case 'OAuthTokenRevoked':
          add(TELEMETRY_COUNTERS.tokensRevoked, 1, presented[event.tokenType])
          break
        case 'OAuthUserTokensRevoked':
          add(TELEMETRY_COUNTERS.tokensRevoked, event.accessTokens, ofUser.access_token)
          add(TELEMETRY_COUNTERS.tokensRevoked, event.refreshTokens, ofUser.refresh_token)
          break
      }
    }
  }
}
