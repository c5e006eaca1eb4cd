import { isClientId } from './internal/client-id.js'
import { commit } from './internal/commit.js'
import type { ServerContext } from './internal/server-context.js'

/**
 * Revokes a client: it can no longer authenticate or be authorized, and its unredeemed codes,
 * access and refresh tokens and remembered consents go with it. Returns whether this call revoked
 * it (`false` when unknown or already revoked).
 *
 * Two units of work. The first marks the client revoked, alone: issuance reads the client row in
 * the same atomic step that stores tokens, so from this commit on no token is issued, and this
 * instance refuses the client's tokens at once (others within `clientCacheSeconds`: see
 * `ClientRevocationCache`). The second then revokes what it holds; being
 * idempotent, it runs on every call, so a call that failed after the first unit is completed by
 * the next. Splitting keeps the first short under traffic (a unit that also rewrote every token
 * of a busy client would collide with its in-flight rotations and could run out of retries).
 */
export async function revokeClient(context: ServerContext, clientId: string): Promise<boolean> {
  if (!isClientId(clientId)) return false
  const now = context.clock.now()
  const revoked = await commit(context, async (repositories, events) => {
    if (!(await repositories.clients.revoke(clientId, now))) return false
    events.record({ type: 'OAuthClientRevoked', clientId })
    return true
  })
  context.clientRevocations.markRevoked(clientId)
  await commit(context, async (repositories) => {
    await repositories.authorizationCodes.deleteByClient(clientId)
    await repositories.refreshTokens.revokeByClient(clientId, now)
    await repositories.accessTokens.revokeByClient(clientId, now)
    await repositories.consents.deleteByClient(clientId)
  })
  return revoked
}
