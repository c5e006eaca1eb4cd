import type { AccessTokenRecord, BearerTokenRecord } from '../domain/access-token.js'

/** Stores access tokens: opaque ones by hash, JWTs by id (`jti`). */
export interface AccessTokenRepository {
  /** Stores a new access token. Throws if its id or hash exists. */
  insert(token: AccessTokenRecord): Promise<void>
  /**
   * The opaque token with this hash, revoked or expired or not; `null` when there is none. The
   * bearer check's one read: keep it to one lookup by a unique index (the core asks about the
   * token's client separately, from memory).
   */
  findByHash(tokenHash: string): Promise<AccessTokenRecord | null>
  /**
   * Optional: `findByHash` narrowed to what a bearer check reads ({@link BearerTokenRecord}), for a
   * storage where fewer columns cost less (the bearer check is the hottest read there is). May
   * return the whole record. Without it, the bearer check uses `findByHash`.
   */
  findBearerByHash?(tokenHash: string): Promise<BearerTokenRecord | null>
  /** The token with this id; `null` when there is none. */
  findById(tokenId: string): Promise<AccessTokenRecord | null>
  /**
   * Marks one token revoked. Returns the record as revoked by this call, or `null` when it does not
   * exist or was already revoked (so concurrent callers see it revoked once).
   */
  revoke(tokenId: string, now: Date): Promise<AccessTokenRecord | null>
  /** Revokes every unrevoked token of a refresh family (grant); returns how many. Idempotent. */
  revokeFamily(familyId: string, now: Date): Promise<number>
  /** Revokes every unrevoked token of a client; returns how many. Idempotent. */
  revokeByClient(clientId: string, now: Date): Promise<number>
  /**
   * Revokes every unrevoked token issued to the user: of one client when `clientId` is a string, of
   * every client when it is `null`. Returns how many. Idempotent; one statement, served by an
   * index on `(userId, clientId)`, so a user with many tokens costs one round trip.
   */
  revokeByUser(userId: string, clientId: string | null, now: Date): Promise<number>
}
