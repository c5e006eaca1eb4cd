import { isScopeSubset, normalizeScopes } from '../domain/scope.js'
import { OAuthError } from '../errors/oauth-error.js'
import type { ConsentQuery } from './has-consent.js'
import { isClientId } from './internal/client-id.js'
import { commit } from './internal/commit.js'
import { mergeConsent } from './internal/merge-consent.js'
import type { ServerContext } from './internal/server-context.js'
import { userIdOf } from './internal/user-id.js'

/**
 * Remembers consent for these scopes (added to any remembered before).
 *
 * @throws OAuthError `invalid_request` when the client is unknown or revoked, or a scope is not
 *   one the client may be granted
 */
export async function rememberConsent(
  context: ServerContext,
  input: ConsentQuery & { readonly claims?: Readonly<Record<string, unknown>> },
): Promise<void> {
  const client = isClientId(input.clientId)
    ? await context.storage.repositories.clients.findById(input.clientId)
    : null
  if (!client || client.revokedAt) {
    throw OAuthError.invalidRequest({ description: 'The client is unknown or has been revoked.' })
  }
  const scopes = normalizeScopes(input.scopes)
  if (!isScopeSubset(scopes, client.allowedScopes)) {
    throw OAuthError.invalidRequest({
      description: 'The client may not be granted every one of these scopes.',
    })
  }
  const now = context.clock.now()
  await commit(context, (repositories) =>
    mergeConsent(
      repositories,
      {
        userId: userIdOf(input.user),
        clientId: input.clientId,
        scopes,
        claims: input.claims ?? {},
      },
      now,
    ),
  )
}
