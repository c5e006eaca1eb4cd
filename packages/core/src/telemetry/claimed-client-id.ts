import type { OAuthErrorCode } from '../errors/error-codes.js'
import { OAuthError } from '../errors/oauth-error.js'
import { parseBasic } from '../use-cases/internal/authenticate-client.js'
import type { ClientRequest } from '../use-cases/internal/http-request.js'
import { parameterOf } from './parameter-of.js'
import type { PerUseCase } from './use-case-attributes.js'

/**
 * The client id a request claims (in its body or HTTP Basic credentials, or an authorization
 * request's `client_id`), or `null`. Only reported once the call proves it names a client (see
 * {@link provesClient}): until then it is whatever the sender typed, a client secret pasted in the
 * wrong field included, and an unknown id is never carried (as in `OAuthClientAuthenticationFailed`).
 */
export const CLAIMED_CLIENT_IDS: PerUseCase<string | null> = {
  issueTokenFromRequest: (request) => claimedByClient(request),
  revokeTokenFromRequest: (request) => claimedByClient(request),
  introspectTokenFromRequest: (request) => claimedByClient(request),
  validateAuthorizationRequest: (parameters) => clientIdOrNull(parameterOf(parameters, 'client_id')),
  beginAuthorization: (input) => clientIdOrNull(parameterOf(input.parameters, 'client_id')),
}

/**
 * Errors only a known client gets: about an authenticated client's grant (RFC 6749 §5.2), or sent
 * to the verified redirect URI of the client (RFC 6749 §4.1.2.1).
 */
const KNOWN_CLIENT_ERRORS: ReadonlySet<OAuthErrorCode> = new Set([
  'invalid_grant',
  'unauthorized_client',
  'invalid_scope',
])

/** Whether a call that rejected with `error` had found the client it claimed (success always has). */
export function provesClient(error: unknown): boolean {
  return error instanceof OAuthError && (KNOWN_CLIENT_ERRORS.has(error.code) || error.redirect !== undefined)
}

function claimedByClient(request: ClientRequest): string | null {
  const fromBody = parameterOf(request.body, 'client_id')
  if (fromBody !== undefined || !request.authorization) return clientIdOrNull(fromBody)
  try {
    // Of the credentials, only the id is kept.
    return clientIdOrNull(parseBasic(request.authorization).clientId)
  } catch {
    return null
  }
}

/** No check of its form: only a client's real id is ever reported (see {@link provesClient}). */
function clientIdOrNull(value: unknown): string | null {
  return typeof value === 'string' ? value : null
}
