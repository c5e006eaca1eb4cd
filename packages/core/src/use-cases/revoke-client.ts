import { isClientId } from './internal/client-id.js'
import { commit } from './internal/commit.js'
import type { ServerContext } from './internal/server-context.js'

/**
 * Revokes a client: it can no longer authenticate or be authorized, and its unredeemed codes,
 * access and refresh tokens and remembered consents go with it, in one unit of work. Returns
 * whether this call revoked it (`false` when unknown or already revoked).
 */
export async function revokeClient(context: ServerContext, clientId: string): Promise<boolean> {
  if (!isClientId(clientId)) return false
  const now = context.clock.now()
  return commit(context, async (repositories, events) => {
    if (!(await repositories.clients.revoke(clientId, now))) return false
    await repositories.authorizationCodes.deleteByClient(clientId)
    await repositories.refreshTokens.revokeByClient(clientId, now)
    await repositories.accessTokens.revokeByClient(clientId, now)
    await repositories.consents.deleteByClient(clientId)
    events.record({ type: 'OAuthClientRevoked', clientId })
    return true
  })
}
