import type { AccessTokenRecord } from '../../domain/access-token.js'
import { hasJwtShape, hasOpaqueTokenShape } from '../../domain/opaque-token.js'
import type { RefreshTokenRecord } from '../../domain/refresh-token.js'
import { findByHash } from './find-by-hash.js'
import type { ServerContext } from './server-context.js'

/** An access token as presented, after its signature (for a JWT) checked out. */
export interface PresentedAccessToken {
  /** The stored record; `null` for a JWT when revocation checking is off and it was not looked up. */
  readonly record: AccessTokenRecord | null
  /** The claims of a verified JWT; `null` for an opaque token. */
  readonly jwtClaims: Readonly<Record<string, unknown>> | null
}

/**
 * Finds the access token a caller presents: an opaque one by hash, a JWT by verifying its
 * signature with an active or previous key and then (when `lookUp`) by its `jti`. Returns `null`
 * for anything unknown, malformed, badly signed, or signed by a retired or compromised key.
 * Expiry and revocation are the caller's to check.
 */
export async function findPresentedAccessToken(
  context: ServerContext,
  token: string,
  options: { readonly lookUp: boolean },
): Promise<PresentedAccessToken | null> {
  const { repositories } = context.storage
  if (hasOpaqueTokenShape(token, context.config.accessTokenPrefix)) {
    const found = await findByHash(context, token, (hash) => repositories.accessTokens.findByHash(hash))
    return found ? { record: found.record, jwtClaims: null } : null
  }
  if (!hasJwtShape(token)) return null
  const kid = context.jwtSigner.readKid(token)
  const key = kid === null ? null : await context.signingKeys.verificationKey(kid)
  if (!key) return null
  let claims: Readonly<Record<string, unknown>>
  try {
    claims = (
      await context.jwtSigner.verify(token, key, { issuer: context.config.issuer, now: context.clock.now() })
    ).payload
  } catch {
    return null
  }
  if (typeof claims.jti !== 'string') return null
  if (!options.lookUp) return { record: null, jwtClaims: claims }
  const record = await repositories.accessTokens.findById(claims.jti)
  return record ? { record, jwtClaims: claims } : null
}

/** Finds a refresh token by hash; `null` when it is malformed or unknown. */
export async function findPresentedRefreshToken(
  context: ServerContext,
  token: string,
): Promise<RefreshTokenRecord | null> {
  if (!hasOpaqueTokenShape(token, context.config.refreshTokenPrefix)) return null
  const found = await findByHash(context, token, (hash) =>
    context.storage.repositories.refreshTokens.findByHash(hash),
  )
  return found?.record ?? null
}
