import type { AccessTokenRecord } from '../domain/access-token.js'
import type { OAuthEvent } from '../domain/events.js'
import type { RefreshTokenRecord } from '../domain/refresh-token.js'

/** The records a successful code exchange or rotation stores, and the events that report it. */
export interface IssuedTokenRecords {
  readonly accessToken: AccessTokenRecord
  readonly refreshToken: RefreshTokenRecord | null
  /** Stored only when {@link AtomicIssuance.eventsGoToOutbox}; otherwise the core publishes them. */
  readonly events: readonly OAuthEvent[]
}

/** A code exchange's writes: consume the code, store what it issues. */
export interface CodeRedemption extends IssuedTokenRecords {
  readonly codeHash: string
  readonly now: Date
}

/** A rotation's writes: mark the old refresh token rotated, store the new pair. */
export interface RefreshRotation extends IssuedTokenRecords {
  readonly tokenHash: string
  readonly now: Date
  readonly refreshToken: RefreshTokenRecord
}

/**
 * Optional storage capability: the writes of a code exchange and of a refresh rotation as one
 * atomic step, for storages that can do that in fewer round trips than a unit of work (one
 * statement on PostgreSQL, one procedure call on MySQL). When a storage has it, the core uses it
 * for these two hot paths and the unit of work for everything else.
 *
 * Each method is all or nothing: it either applies every write and resolves `true`, or applies
 * none. Of any number of concurrent calls for the same code or refresh token, exactly one
 * resolves `true`; the rest resolve `false` and change nothing. A failure rejects and leaves
 * nothing behind.
 */
export interface AtomicIssuance {
  /**
   * Whether the events are written to the storage's outbox with the change (then a relay
   * delivers them), or left to the core to publish after the call resolves `true`.
   */
  readonly eventsGoToOutbox: boolean
  /**
   * If the code with `codeHash` exists and is unconsumed: marks it consumed at `now`, inserts the
   * access token, the refresh token (when not `null`) and, with an outbox, the events; `true`.
   * Otherwise `false`. Expiry is not looked at: the caller checked it.
   */
  redeemCode(redemption: CodeRedemption): Promise<boolean>
  /**
   * If the refresh token with `tokenHash` exists and is neither rotated nor revoked: marks it
   * rotated at `now`, inserts the new access and refresh tokens and, with an outbox, the events;
   * `true`. Otherwise `false`.
   */
  rotateRefreshToken(rotation: RefreshRotation): Promise<boolean>
}
