import type { RefreshTokenRecord } from '../domain/refresh-token.js'
import type { ClientWithCredential } from './client-with-credential.js'

/** Stores refresh tokens, by hash only, grouped in rotation families. */
export interface RefreshTokenRepository {
  /** Stores a new, unrotated refresh token. Throws if its id or hash exists. */
  insert(token: RefreshTokenRecord): Promise<void>
  /** The token with this hash, in any state; `null` when there is none. */
  findByHash(tokenHash: string): Promise<RefreshTokenRecord | null>
  /**
   * Optional: the client `clientId` (revoked or not) and, read with it at once, the token with this
   * hash (in any state) when it was issued to that client, else `record: null`; `null` when there
   * is no such client. A rotation then authenticates the client and checks the token with one read.
   * Without it, the core reads the client (`ClientRepository.findById`), then the token
   * (`findByHash`).
   */
  findByHashWithClient?(
    tokenHash: string,
    clientId: string,
  ): Promise<ClientWithCredential<RefreshTokenRecord> | null>
  /**
   * The newest token (by `createdAt`) rotated from `parentId`, in any state; `null` when there is
   * none. A retry within the reuse grace period gives a parent a second child, so "newest" matters.
   */
  findByParentId(parentId: string): Promise<RefreshTokenRecord | null>
  /**
   * Atomically marks the token rotated if it is neither rotated nor revoked: of any number of
   * concurrent callers exactly one gets the record (with `rotatedAt` set), the rest `null`.
   * Also `null` when the hash is unknown.
   */
  markRotated(tokenHash: string, now: Date): Promise<RefreshTokenRecord | null>
  /**
   * Marks one token revoked. Returns the record as revoked by this call, or `null` when it does not
   * exist or was already revoked.
   */
  revoke(tokenId: string, now: Date): Promise<RefreshTokenRecord | null>
  /** Revokes every unrevoked token of the family; returns how many. Idempotent. */
  revokeFamily(familyId: string, now: Date): Promise<number>
  /** Revokes every unrevoked token of a client; returns how many. Idempotent. */
  revokeByClient(clientId: string, now: Date): Promise<number>
  /**
   * Revokes every unrevoked token issued to the user (so every family of theirs, rotated members
   * included): of one client when `clientId` is a string, of every client when it is `null`.
   * Returns how many. Idempotent; one statement, served by an index on `(userId, clientId)`.
   */
  revokeByUser(userId: string, clientId: string | null, now: Date): Promise<number>
}
