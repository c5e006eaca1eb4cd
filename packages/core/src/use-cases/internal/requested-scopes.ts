import { isScopeSubset, parseScope } from '../../domain/scope.js'
import { OAuthError } from '../../errors/oauth-error.js'

/**
 * The scopes a `scope` parameter asks for, checked against what may be granted. Without the
 * parameter, `fallback`; when that is empty too, the request fails, since a token for nothing is
 * no use.
 *
 * @throws OAuthError `invalid_scope`
 * @see RFC 6749 §3.3
 */
export function requestedScopes(
  scope: string | undefined,
  options: { readonly allowed: readonly string[]; readonly fallback: readonly string[] | null },
): readonly string[] {
  if (scope === undefined) {
    if (!options.fallback || options.fallback.length === 0) {
      throw OAuthError.invalidScope({ description: 'The scope parameter is required.' })
    }
    return options.fallback
  }
  const parsed = parseScope(scope)
  if (parsed === null) throw OAuthError.invalidScope({ description: 'The scope parameter is malformed.' })
  if (!isScopeSubset(parsed, options.allowed)) {
    throw OAuthError.invalidScope({
      description: 'The requested scope exceeds what the client may be granted.',
    })
  }
  return parsed
}
