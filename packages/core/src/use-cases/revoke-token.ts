import { OAuthError } from '../errors/oauth-error.js'
import { commit } from './internal/commit.js'
import {
  findPresentedAccessToken,
  findPresentedRefreshToken,
  wholeAccessToken,
} from './internal/find-presented-token.js'
import type { ServerContext } from './internal/server-context.js'

/** A hint of what kind of token is being revoked or introspected (RFC 7009 §2.1). */
export type TokenTypeHint = 'access_token' | 'refresh_token'

export interface RevokeTokenInput {
  readonly token: string
  /** Looked at first; the other kind is tried too, as RFC 7009 §2.1 asks. */
  readonly hint?: string | undefined
  /** When set, only a token issued to this client is revoked. */
  readonly clientId?: string | undefined
}

/**
 * Revokes a token. A refresh token takes its whole family with it, access tokens included
 * (RFC 7009 §2.1); an access token goes alone. Unknown, expired or already revoked tokens are not
 * an error (RFC 7009 §2.2). Returns whether something was revoked.
 *
 * @throws OAuthError `unauthorized_client` when `clientId` is set and the token belongs to another client
 * @see RFC 7009 §2
 */
export async function revokeToken(context: ServerContext, input: RevokeTokenInput): Promise<boolean> {
  const order: readonly ('access_token' | 'refresh_token')[] =
    input.hint === 'refresh_token' ? ['refresh_token', 'access_token'] : ['access_token', 'refresh_token']
  for (const kind of order) {
    const revoked =
      kind === 'access_token'
        ? await revokeAccessToken(context, input)
        : await revokeRefreshToken(context, input)
    if (revoked !== null) return revoked
  }
  return false
}

/** `null` when no such access token; otherwise whether this call revoked it. */
async function revokeAccessToken(context: ServerContext, input: RevokeTokenInput): Promise<boolean | null> {
  const presented = await findPresentedAccessToken(context, input.token, {
    lookUp: true,
    read: wholeAccessToken(context),
  })
  const record = presented?.record
  if (!record) return null
  checkOwner(record.clientId, input.clientId)
  const now = context.clock.now()
  return commit(context, async (repositories, events) => {
    const revoked = await repositories.accessTokens.revoke(record.id, now)
    if (!revoked) return false
    events.record({
      type: 'OAuthTokenRevoked',
      clientId: record.clientId,
      tokenId: record.id,
      tokenType: 'access_token',
    })
    return true
  })
}

async function revokeRefreshToken(context: ServerContext, input: RevokeTokenInput): Promise<boolean | null> {
  const record = await findPresentedRefreshToken(context, input.token)
  if (!record) return null
  checkOwner(record.clientId, input.clientId)
  const now = context.clock.now()
  return commit(context, async (repositories, events) => {
    const revoked = await repositories.refreshTokens.revokeFamily(record.familyId, now)
    await repositories.accessTokens.revokeFamily(record.familyId, now)
    if (revoked === 0) return false
    events.record({
      type: 'OAuthTokenRevoked',
      clientId: record.clientId,
      tokenId: record.id,
      tokenType: 'refresh_token',
    })
    return true
  })
}

function checkOwner(owner: string, caller: string | undefined): void {
  if (caller !== undefined && owner !== caller) {
    throw OAuthError.unauthorizedClient({ description: 'The token was not issued to this client.' })
  }
}
