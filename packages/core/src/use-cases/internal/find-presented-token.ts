import type { AccessTokenRecord, BearerTokenRecord } from '../../domain/access-token.js'
import { hasJwtShape, hasOpaqueTokenShape } from '../../domain/opaque-token.js'
import type { RefreshTokenRecord } from '../../domain/refresh-token.js'
import { findByHash } from './find-by-hash.js'
import type { ServerContext } from './server-context.js'

/** An access token as presented, after its signature (for a JWT) checked out. */
export interface PresentedAccessToken<R extends BearerTokenRecord = AccessTokenRecord> {
  /** The stored record; `null` for a JWT when revocation checking is off and it was not looked up. */
  readonly record: R | null
  /** The claims of a verified JWT; `null` for an opaque token. */
  readonly jwtClaims: Readonly<Record<string, unknown>> | null
}

/** How the stored record of a presented access token is read: by hash (opaque) or id (JWT). */
export interface AccessTokenReads<R extends BearerTokenRecord> {
  readonly byHash: (tokenHash: string) => Promise<R | null>
  readonly byId: (tokenId: string) => Promise<R | null>
}

/** The whole stored record, as introspection and revocation need it. */
export const wholeAccessToken = (context: ServerContext): AccessTokenReads<AccessTokenRecord> => {
  const { accessTokens } = context.storage.repositories
  return { byHash: (hash) => accessTokens.findByHash(hash), byId: (id) => accessTokens.findById(id) }
}

/** What a bearer check reads: the storage's narrower read by hash when it has one. */
export const bearerReads = (context: ServerContext): AccessTokenReads<BearerTokenRecord> => {
  const { accessTokens } = context.storage.repositories
  const { findBearerByHash } = accessTokens
  return {
    byHash:
      findBearerByHash === undefined
        ? (hash) => accessTokens.findByHash(hash)
        : (hash) => findBearerByHash.call(accessTokens, hash),
    byId: (id) => accessTokens.findById(id),
  }
}

/**
 * Finds the access token a caller presents: an opaque one by hash, a JWT by verifying its
 * signature with an active or previous key and then (when `lookUp`) by its `jti`. Returns `null`
 * for anything unknown, malformed, badly signed, or signed by a retired or compromised key.
 * Expiry and revocation are the caller's to check.
 */
export async function findPresentedAccessToken<R extends BearerTokenRecord>(
  context: ServerContext,
  token: string,
  options: { readonly lookUp: boolean; readonly read: AccessTokenReads<R> },
): Promise<PresentedAccessToken<R> | null> {
  const { read } = options
  if (hasOpaqueTokenShape(token, context.config.accessTokenPrefix)) {
    const found = await findByHash(context, token, read.byHash)
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
  const record = await read.byId(claims.jti)
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
