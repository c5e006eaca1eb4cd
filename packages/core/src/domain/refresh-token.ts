/** A refresh token as stored, one link of a rotation family. */
export interface RefreshTokenRecord {
  /** A UUID. */
  readonly id: string
  readonly tokenHash: string
  readonly hashKeyId: string
  /** The grant every rotation of this token shares; revoking it revokes the whole family. */
  readonly familyId: string
  /** The refresh token this one was rotated from; `null` for the first of a family. */
  readonly parentId: string | null
  readonly clientId: string
  readonly userId: string | null
  /** The scopes of the original grant: a rotation never widens them (RFC 6749 §6). */
  readonly scopes: readonly string[]
  readonly claims: Readonly<Record<string, unknown>>
  /** The access token issued with it, revoked with it on a grace-period retry. */
  readonly accessTokenId: string | null
  /** When the family began, for the optional absolute family lifetime. */
  readonly familyCreatedAt: Date
  readonly createdAt: Date
  readonly expiresAt: Date
  /** Set once, when the token is rotated (used). */
  readonly rotatedAt: Date | null
  readonly revokedAt: Date | null
}
