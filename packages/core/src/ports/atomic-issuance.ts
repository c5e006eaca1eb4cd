import type { AccessTokenRecord } from '../domain/access-token.js'
import type { OAuthEvent } from '../domain/events.js'
import type { RefreshTokenRecord } from '../domain/refresh-token.js'

/**
 * The records an issuance stores, and the events that report it. The tokens are issued to
 * `accessToken.clientId`, which must be live (not revoked) when the issuance commits.
 */
export interface IssuedTokenRecords {
  readonly accessToken: AccessTokenRecord
  readonly refreshToken: RefreshTokenRecord | null
  /** Stored with the change when the storage keeps an outbox; otherwise the core publishes them. */
  readonly events: readonly OAuthEvent[]
  readonly now: Date
}

/** A client_credentials issuance: an access token alone. */
export interface AccessTokenIssuance extends IssuedTokenRecords {
  readonly refreshToken: null
}

/** A code exchange's writes: consume the code, store what it issues. */
export interface CodeRedemption extends IssuedTokenRecords {
  readonly codeHash: string
}

/** A rotation's writes: mark the old refresh token rotated, store the new pair. */
export interface RefreshRotation extends IssuedTokenRecords {
  readonly tokenHash: string
  readonly refreshToken: RefreshTokenRecord
  /**
   * Set for a retry within the reuse grace period: the token with `tokenHash` is the child the
   * client never received, so besides being marked rotated it is revoked, with its access token
   * (`accessTokenId`). Presenting it afterwards is then a reuse.
   */
  readonly supersede?: boolean
}

/**
 * How an issuance ended: `issued` (every write applied); `client-revoked` (the client is revoked
 * or unknown: nothing written); `already-used` (the code was consumed, or the refresh token rotated
 * or revoked, before this call: nothing written).
 */
export type IssuanceStatus = 'issued' | 'client-revoked' | 'already-used'

/** The outcome of an issuance, and whether its events were stored in the outbox with it. */
export interface IssuanceResult {
  readonly status: IssuanceStatus
  /** `true` when the events went to the storage's outbox; then the core does not publish them. */
  readonly eventsStored: boolean
}

/**
 * The one way tokens are issued: a client_credentials issuance, a code exchange and a refresh
 * rotation, each as one atomic step that is also conditional on the client being live. The grants
 * call only this port. A storage may offer its own (`Storage.atomicIssuance`: one statement on
 * PostgreSQL, one procedure call on MySQL); otherwise the core uses its implementation over the
 * unit of work (`createUnitOfWorkIssuance`).
 *
 * Each method is all or nothing: it either applies every write and resolves `issued`, or applies
 * none. Of any number of concurrent calls for the same code or refresh token, exactly one resolves
 * `issued`; the rest resolve `already-used` and change nothing. The client check serialises with
 * `ClientRepository.revoke`: an issuance that commits after the client's revocation committed is
 * refused (`client-revoked`) on storages whose units of work are serialisable or lock the client
 * row; on others a token committed in that race is still refused at use, because the bearer check
 * and introspection ask whether its client is revoked. A failure rejects and leaves nothing behind.
 */
export interface AtomicIssuance {
  /**
   * Whether the events passed in may be written to the storage's outbox (each result says whether
   * they were). When `false`, they are ignored and the core publishes them after an `issued`.
   */
  readonly eventsGoToOutbox: boolean
  /** If the client is live: inserts the access token and, with an outbox, the events; `issued`. */
  issueAccessToken(issuance: AccessTokenIssuance): Promise<IssuanceResult>
  /**
   * If the client is live and the code with `codeHash` exists and is unconsumed: marks it consumed
   * at `now`, inserts the access token, the refresh token (when not `null`) and, with an outbox,
   * the events; `issued`. Expiry is not looked at: the caller checked it.
   */
  redeemCode(redemption: CodeRedemption): Promise<IssuanceResult>
  /**
   * If the client is live and the refresh token with `tokenHash` exists and is neither rotated nor
   * revoked: marks it rotated at `now` (and revoked, with its access token, when `supersede`),
   * inserts the new access and refresh tokens and, with an outbox, the events; `issued`.
   */
  rotateRefreshToken(rotation: RefreshRotation): Promise<IssuanceResult>
}

/** The results an implementation hands out, shared and frozen. */
export const ISSUANCE_RESULTS: {
  readonly issued: IssuanceResult
  readonly issuedWithEvents: IssuanceResult
  readonly clientRevoked: IssuanceResult
  readonly alreadyUsed: IssuanceResult
} = Object.freeze({
  issued: Object.freeze({ status: 'issued', eventsStored: false }),
  issuedWithEvents: Object.freeze({ status: 'issued', eventsStored: true }),
  clientRevoked: Object.freeze({ status: 'client-revoked', eventsStored: false }),
  alreadyUsed: Object.freeze({ status: 'already-used', eventsStored: false }),
})
