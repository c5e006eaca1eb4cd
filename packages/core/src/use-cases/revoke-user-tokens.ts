import { isClientId } from './internal/client-id.js'
import { commit } from './internal/commit.js'
import type { ServerContext } from './internal/server-context.js'
import { type UserReference, userIdOf } from './internal/user-id.js'

/** Whose tokens `revokeUserTokens` revokes, and whether the consent goes with them. */
export interface RevokeUserTokensInput {
  readonly user: UserReference
  /** Only the tokens issued to this client ("disconnect this client"); every client when absent. */
  readonly clientId?: string
  /**
   * `revoke` also forgets the remembered consent(s), so the next authorization asks again; `keep`
   * (the default) leaves them, so the user can sign in again without a consent screen.
   */
  readonly consent?: 'keep' | 'revoke'
}

/** How many records `revokeUserTokens` changed. */
export interface RevokedUserTokens {
  /** Unredeemed authorization codes, deleted: the exchange of a code approved before fails. */
  readonly authorizationCodes: number
  readonly accessTokens: number
  readonly refreshTokens: number
  readonly consents: number
}

/**
 * Revokes every access and refresh token issued to the user (every refresh family, rotated
 * members included) and deletes their unredeemed authorization codes, of one client or of all,
 * without knowing the tokens: "disconnect this client" and "sign out everywhere". With
 * `consent: 'revoke'` the remembered consent(s) go too. One unit of work, one statement per table. Publishes `OAuthUserTokensRevoked` (with the counts,
 * never a token), and `OAuthConsentRevoked` for each consent it removed, when it changed anything.
 * Idempotent: a second call revokes nothing, returns zeros and publishes nothing.
 *
 * @throws SpOAuthError when the user id is not a valid user id (an application bug)
 * @see RFC 9700 §4.14 (refresh token protection)
 */
export async function revokeUserTokens(
  context: ServerContext,
  input: RevokeUserTokensInput,
): Promise<RevokedUserTokens> {
  const userId = userIdOf(input.user)
  const clientId = input.clientId ?? null
  // An id no client can have holds no token: nothing to do, and nothing to ask the storage.
  if (clientId !== null && !isClientId(clientId)) return NOTHING_REVOKED
  const now = context.clock.now()
  return commit(context, async (repositories, events) => {
    // Codes, then refresh tokens, then access tokens: an exchange or a rotation that committed
    // just before a statement has its new tokens revoked by the statements after it, on storages
    // that read committed rows per statement; one that commits after finds its code or token gone.
    const authorizationCodes = await repositories.authorizationCodes.deleteByUser(userId, clientId)
    const refreshTokens = await repositories.refreshTokens.revokeByUser(userId, clientId, now)
    const accessTokens = await repositories.accessTokens.revokeByUser(userId, clientId, now)
    let removed: readonly string[] = []
    if (input.consent === 'revoke') {
      if (clientId !== null) {
        removed = (await repositories.consents.delete(userId, clientId)) ? [clientId] : []
      } else {
        removed = (await repositories.consents.listByUser(userId)).map((consent) => consent.clientId)
        if (removed.length > 0) await repositories.consents.deleteByUser(userId)
      }
    }
    // Like revokeConsent: an event only for a call that changed something.
    if (authorizationCodes + refreshTokens + accessTokens + removed.length === 0) return NOTHING_REVOKED
    events.record({
      type: 'OAuthUserTokensRevoked',
      userId,
      clientId,
      authorizationCodes,
      accessTokens,
      refreshTokens,
      consents: removed.length,
    })
    for (const removedClientId of removed) {
      events.record({ type: 'OAuthConsentRevoked', clientId: removedClientId, userId })
    }
    return { authorizationCodes, accessTokens, refreshTokens, consents: removed.length }
  })
}

const NOTHING_REVOKED: RevokedUserTokens = Object.freeze({
  authorizationCodes: 0,
  accessTokens: 0,
  refreshTokens: 0,
  consents: 0,
})
