import type { GrantType } from './grant-type.js'

/** How an access token travels: an opaque random string, or a signed JWT (RFC 9068). */
export type AccessTokenFormat = 'opaque' | 'jwt'

/** An access token as stored. Opaque tokens are found by hash, JWTs by `id` (their `jti`). */
export interface AccessTokenRecord {
  /** A UUID; the `jti` of a JWT access token. */
  readonly id: string
  /** HMAC of an opaque token; `null` for a JWT (its signature protects it). */
  readonly tokenHash: string | null
  readonly hashKeyId: string | null
  readonly format: AccessTokenFormat
  readonly clientId: string
  /** `null` for client_credentials. */
  readonly userId: string | null
  readonly grantType: GrantType
  readonly scopes: readonly string[]
  readonly claims: Readonly<Record<string, unknown>>
  /** The refresh family (grant) it belongs to; `null` for client_credentials. */
  readonly familyId: string | null
  readonly createdAt: Date
  readonly expiresAt: Date
  readonly revokedAt: Date | null
}

/**
 * What a bearer check reads of a stored access token: enough to judge it (expiry, revocation) and
 * to build the principal. A storage may read only these columns (`findBearerByHash`).
 */
export type BearerTokenRecord = Pick<
  AccessTokenRecord,
  'id' | 'clientId' | 'userId' | 'grantType' | 'scopes' | 'claims' | 'expiresAt' | 'revokedAt'
>
