import { isClientId } from './internal/client-id.js'
import { commit } from './internal/commit.js'
import type { ServerContext } from './internal/server-context.js'
import { type UserReference, userIdOf } from './internal/user-id.js'

/**
 * Forgets the user's consent for the client, so the next authorization asks again. Tokens already
 * issued stay valid; revoke them with `revokeToken`. Returns whether there was a consent.
 */
export async function revokeConsent(
  context: ServerContext,
  input: { readonly user: UserReference; readonly clientId: string },
): Promise<boolean> {
  const userId = userIdOf(input.user)
  if (!isClientId(input.clientId)) return false
  return commit(context, async (repositories, events) => {
    const deleted = await repositories.consents.delete(userId, input.clientId)
    if (deleted) events.record({ type: 'OAuthConsentRevoked', clientId: input.clientId, userId })
    return deleted
  })
}
