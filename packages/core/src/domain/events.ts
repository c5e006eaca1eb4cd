import type { GrantType } from './grant-type.js'

interface EventBase<T extends string> {
  readonly type: T
  /** A UUID, so a consumer can deduplicate at-least-once deliveries. */
  readonly id: string
  readonly occurredAt: Date
}

/** A client was registered. Its secret is never part of an event. */
export interface ClientCreatedEvent extends EventBase<'OAuthClientCreated'> {
  readonly clientId: string
  readonly name: string
  readonly confidential: boolean
}
/** `updateClient` changed a client's metadata: the names of the fields it changed, never their values. */
export interface ClientUpdatedEvent extends EventBase<'OAuthClientUpdated'> {
  readonly clientId: string
  readonly changed: readonly string[]
}
export interface ClientSecretRotatedEvent extends EventBase<'OAuthClientSecretRotated'> {
  readonly clientId: string
}
export interface ClientRevokedEvent extends EventBase<'OAuthClientRevoked'> {
  readonly clientId: string
}
export interface ConsentRevokedEvent extends EventBase<'OAuthConsentRevoked'> {
  readonly clientId: string
  readonly userId: string
}
/**
 * A user's tokens were revoked without being presented (`revokeUserTokens`): of one client, or of
 * every client when `clientId` is `null`. Counts only, never a token or its hash.
 */
export interface UserTokensRevokedEvent extends EventBase<'OAuthUserTokensRevoked'> {
  readonly userId: string
  readonly clientId: string | null
  /** How many unredeemed authorization codes were deleted. */
  readonly authorizationCodes: number
  readonly accessTokens: number
  readonly refreshTokens: number
  /** How many remembered consents were removed with them (each also gets `OAuthConsentRevoked`). */
  readonly consents: number
}
/** The seed's `OAuthAuthorizationApproved`: fired after the user approves consent. */
export interface AuthorizationApprovedEvent extends EventBase<'OAuthAuthorizationApproved'> {
  readonly clientId: string
  readonly userId: string
  readonly scopes: readonly string[]
  readonly remembered: boolean
  readonly grantId: string
}
export interface AuthorizationDeniedEvent extends EventBase<'OAuthAuthorizationDenied'> {
  readonly clientId: string
  readonly userId: string | null
}
/** The seed's `OAuthTokenIssued`: fired after an access token is created. */
export interface TokenIssuedEvent extends EventBase<'OAuthTokenIssued'> {
  readonly clientId: string
  readonly userId: string | null
  readonly grantType: GrantType
  readonly scopes: readonly string[]
  readonly accessTokenId: string
  readonly refreshTokenId: string | null
  readonly familyId: string | null
}
/** The seed's `OAuthTokenRevoked`: fired after a token is revoked. */
export interface TokenRevokedEvent extends EventBase<'OAuthTokenRevoked'> {
  readonly clientId: string
  readonly tokenId: string
  readonly tokenType: 'access_token' | 'refresh_token'
}
export interface RefreshTokenRotatedEvent extends EventBase<'OAuthRefreshTokenRotated'> {
  readonly clientId: string
  readonly familyId: string
  readonly previousTokenId: string
  readonly refreshTokenId: string
}
/** A rotated refresh token came back: the whole family was revoked (RFC 9700 §4.14.2). */
export interface RefreshTokenReuseDetectedEvent extends EventBase<'OAuthRefreshTokenReuseDetected'> {
  readonly clientId: string
  readonly familyId: string
  readonly tokenId: string
}
/** A redeemed code came back: what it issued was revoked (RFC 6749 §4.1.2). */
export interface AuthorizationCodeReplayDetectedEvent
  extends EventBase<'OAuthAuthorizationCodeReplayDetected'> {
  readonly clientId: string
  readonly grantId: string
}
export interface ClientAuthenticationFailedEvent extends EventBase<'OAuthClientAuthenticationFailed'> {
  /** As the caller claimed it; may name no real client. */
  readonly clientId: string | null
  readonly reason:
    | 'unknown_client'
    | 'invalid_secret'
    | 'client_revoked'
    | 'missing_secret'
    | 'unexpected_secret'
    /** The secret came by the other method than the one the client is registered for. */
    | 'wrong_method'
}

/** Every event the core publishes, discriminated by `type`. */
export type OAuthEvent =
  | ClientCreatedEvent
  | ClientUpdatedEvent
  | ClientSecretRotatedEvent
  | ClientRevokedEvent
  | ConsentRevokedEvent
  | UserTokensRevokedEvent
  | AuthorizationApprovedEvent
  | AuthorizationDeniedEvent
  | TokenIssuedEvent
  | TokenRevokedEvent
  | RefreshTokenRotatedEvent
  | RefreshTokenReuseDetectedEvent
  | AuthorizationCodeReplayDetectedEvent
  | ClientAuthenticationFailedEvent

export type OAuthEventType = OAuthEvent['type']

/** The event of one type. */
export type OAuthEventOf<T extends OAuthEventType> = Extract<OAuthEvent, { type: T }>

/** Every event type, for subscribers and outbox readers. */
export const OAUTH_EVENT_TYPES: readonly OAuthEventType[] = [
  'OAuthClientCreated',
  'OAuthClientUpdated',
  'OAuthClientSecretRotated',
  'OAuthClientRevoked',
  'OAuthConsentRevoked',
  'OAuthUserTokensRevoked',
  'OAuthAuthorizationApproved',
  'OAuthAuthorizationDenied',
  'OAuthTokenIssued',
  'OAuthTokenRevoked',
  'OAuthRefreshTokenRotated',
  'OAuthRefreshTokenReuseDetected',
  'OAuthAuthorizationCodeReplayDetected',
  'OAuthClientAuthenticationFailed',
]
