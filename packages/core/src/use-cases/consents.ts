import { isScopeSubset, normalizeScopes } from '../domain/scope.js'
import { commit } from './internal/commit.js'
import { mergeConsent } from './internal/merge-consent.js'
import type { ServerContext } from './internal/server-context.js'
import { type UserReference, userIdOf } from './internal/user-id.js'

/** A user, a client, and (for checks and grants) scopes. */
export interface ConsentQuery {
  readonly user: UserReference
  readonly clientId: string
  readonly scopes: readonly string[]
}

/** Whether the user has a remembered consent for the client covering every one of `scopes`. */
export async function hasConsent(context: ServerContext, query: ConsentQuery): Promise<boolean> {
  const consent = await context.storage.repositories.consents.find(userIdOf(query.user), query.clientId)
  return consent !== null && isScopeSubset(query.scopes, consent.scopes)
}

/** Remembers consent for these scopes (added to any remembered before). */
export async function rememberConsent(
  context: ServerContext,
  input: ConsentQuery & { readonly claims?: Readonly<Record<string, unknown>> },
): Promise<void> {
  const now = context.clock.now()
  await commit(context, (repositories) =>
    mergeConsent(
      repositories,
      {
        userId: userIdOf(input.user),
        clientId: input.clientId,
        scopes: normalizeScopes(input.scopes),
        claims: input.claims ?? {},
      },
      now,
    ),
  )
}

/**
 * Forgets the user's consent for the client, so the next authorization asks again. Tokens already
 * issued stay valid; revoke them with `revokeToken`. Returns whether there was a consent.
 */
export async function revokeConsent(
  context: ServerContext,
  input: { readonly user: UserReference; readonly clientId: string },
): Promise<boolean> {
  const userId = userIdOf(input.user)
  return commit(context, async (repositories, events) => {
    const deleted = await repositories.consents.delete(userId, input.clientId)
    if (deleted) events.record({ type: 'OAuthConsentRevoked', clientId: input.clientId, userId })
    return deleted
  })
}
