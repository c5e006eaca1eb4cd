import type { Principal } from '../domain/principal.js'
import { formatScope, scopesMissingFrom } from '../domain/scope.js'
import { OAuthError } from '../errors/oauth-error.js'

/**
 * Requires every one of `scopes`.
 *
 * @throws OAuthError `insufficient_scope` (403) naming the scopes needed
 * @see RFC 6750 §3.1
 */
export function requireAllScopes(principal: Principal, scopes: readonly string[]): void {
  if (scopesMissingFrom(scopes, principal.scopes).length > 0) {
    throw OAuthError.insufficientScope({
      description: 'The access token lacks a required scope.',
      scope: formatScope(scopes),
    })
  }
}

/**
 * Requires at least one of `scopes`.
 *
 * @throws OAuthError `insufficient_scope` (403) naming the scopes that would do
 */
export function requireAnyScope(principal: Principal, scopes: readonly string[]): void {
  if (!scopes.some((scope) => principal.can(scope))) {
    throw OAuthError.insufficientScope({
      description: 'The access token has none of the accepted scopes.',
      scope: formatScope(scopes),
    })
  }
}

/**
 * Requires that the token was issued to one of `clientIds`.
 *
 * @throws OAuthError `access_denied` (403)
 */
export function requireClient(principal: Principal, clientIds: readonly string[]): void {
  if (!clientIds.includes(principal.clientId)) {
    throw OAuthError.accessDenied({ description: 'This client may not call this resource.' })
  }
}
