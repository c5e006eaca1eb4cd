/** The names of the counters and attributes the core reports; see `Telemetry` for what each means. */
export const TELEMETRY_COUNTERS = {
  tokensIssued: 'sp_oauth.tokens.issued',
  tokensRevoked: 'sp_oauth.tokens.revoked',
  requestsRefused: 'sp_oauth.requests.refused',
} as const

export const TELEMETRY_ATTRIBUTES = {
  clientId: 'oauth.client_id',
  grantType: 'oauth.grant_type',
  error: 'oauth.error',
  tokenType: 'oauth.token_type',
  useCase: 'sp_oauth.use_case',
  revocation: 'sp_oauth.revocation',
} as const

/** The prefix of every span name: `sp_oauth.<useCase>`, `sp_oauth.storage.<repository>.<method>`. */
export const SPAN_PREFIX = 'sp_oauth'
export const STORAGE_SPAN_PREFIX = 'sp_oauth.storage'

/** Shared by every span that has no attributes of its own, so wrapping allocates none. */
export const NO_ATTRIBUTES: Readonly<Record<string, never>> = Object.freeze({})
